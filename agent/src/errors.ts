// The engine's one error type. Every layer throws it with a kind; only api/docker turns the kind
// into an HTTP status (see api/docker/error-response.ts), so the mapping lives in one place.
export type ErrorKind =
  | 'NotFound'
  | 'InvalidArgument'
  | 'Conflict'
  | 'Unavailable'
  | 'NotImplemented'
  | 'NotModified'
  | 'Forbidden'
  /** A registry refused the credentials (or got none); Docker answers 401. */
  | 'Unauthorized'
  | 'Internal';

export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

export const notFound = (msg: string) => new EngineError('NotFound', msg);
export const invalid = (msg: string) => new EngineError('InvalidArgument', msg);
export const conflict = (msg: string) => new EngineError('Conflict', msg);
export const unauthorized = (msg: string) => new EngineError('Unauthorized', msg);
export const internal = (msg: string, cause?: unknown) => new EngineError('Internal', msg, { cause });

export function isEngineError(e: unknown, kind?: ErrorKind): e is EngineError {
  return e instanceof EngineError && (kind === undefined || e.kind === kind);
}
