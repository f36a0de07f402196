// The methods of one namespace of the contract ('containers', 'images', …): each area's file
// implements its slice and berth-service.ts joins them.
import type { ApiImplementation } from '../../../protocol/src/index.ts';

export type ApiArea<N extends string> = {
  [K in keyof ApiImplementation as K extends `${N}.${string}` ? K : never]: ApiImplementation[K];
};

export const OK = { ok: true } as const;
