// An engine error as the UI should see it: the engine's own message, its HTTP status, and a kind
// from the engine's closed set. Shaped like dockerode's errors (`statusCode`, `json.message`) so
// the dispatcher's errorBody reads it either way.
const KIND_BY_STATUS: Record<number, string> = {
  400: 'InvalidArgument',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  500: 'Internal',
  501: 'NotImplemented',
  503: 'Unavailable',
};

export class EngineApiError extends Error {
  readonly json: { message: string };

  constructor(message: string, readonly statusCode: number, readonly kind: string) {
    super(message);
    this.name = 'EngineApiError';
    this.json = { message };
  }

  static fromResponse(status: number, body: string): EngineApiError {
    let message = body.trim() || `engine answered HTTP ${status}`;
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // Not JSON: the text itself is the message.
    }
    return new EngineApiError(message, status, KIND_BY_STATUS[status] ?? (status >= 500 ? 'Internal' : 'InvalidArgument'));
  }

  static unreachable(socket: string, cause: Error): EngineApiError {
    return new EngineApiError(`cannot reach the engine at ${socket}: ${cause.message}`, 503, 'Unavailable');
  }
}

/** An error of the host itself (not the engine's), with a kind for the UI. */
export function hostError(kind: 'InvalidArgument' | 'NotFound' | 'NotImplemented' | 'Unavailable', message: string): Error {
  return Object.assign(new Error(message), { kind });
}
