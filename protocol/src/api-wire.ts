// Messages of the API transport (WebSocket in web mode, one Electron IPC channel in the app).
import { z } from 'zod';

export const ClientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: z.number().int(), method: z.string(), params: z.unknown() }),
  z.object({ t: z.literal('sub'), id: z.number().int(), method: z.string(), params: z.unknown() }),
  z.object({ t: z.literal('unsub'), id: z.number().int() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export interface ApiErrorBody {
  message: string;
  /** The engine's error kind or HTTP status, when known (NotFound, Conflict, 409…). */
  kind?: string;
}

export type ServerMessage =
  | { t: 'result'; id: number; result: unknown }
  | { t: 'error'; id: number; error: ApiErrorBody }
  | { t: 'event'; id: number; data: unknown }
  | { t: 'end'; id: number; error?: ApiErrorBody };

/** Errors arrive in the UI with the engine's own message. */
export class ApiError extends Error {
  constructor(message: string, readonly kind?: string) {
    super(message);
    this.name = 'ApiError';
  }
}
