// One typed error for the whole broker: a stable code, an HTTP status, a public
// description for clients and a private detail for logs only.

export type RadgateErrorCode =
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'config-invalid'
  | 'store-unavailable'
  | 'policy-invalid'
  | 'policy-unavailable'
  | 'csr-invalid'
  | 'csr-signature-invalid'
  | 'csr-key-unsupported'
  | 'csr-too-large'
  | 'ca-key-insecure'
  | 'ca-unavailable'
  | 'certificate-not-found'
  | 'audit-unavailable'
  | 'audit-chain-broken'
  | 'audit-key-insecure'
  | 'internal';

export interface RadgateErrorOptions {
  status?: number;
  detail?: string;
  cause?: unknown;
}

const defaultStatus: Record<RadgateErrorCode, number> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'config-invalid': 500,
  'store-unavailable': 503,
  'policy-invalid': 422,
  'policy-unavailable': 503,
  'csr-invalid': 400,
  'csr-signature-invalid': 400,
  'csr-key-unsupported': 400,
  'csr-too-large': 413,
  'ca-key-insecure': 500,
  'ca-unavailable': 503,
  'certificate-not-found': 404,
  'audit-unavailable': 503,
  'audit-chain-broken': 500,
  'audit-key-insecure': 500,
  internal: 500,
};

export class RadgateError extends Error {
  readonly code: RadgateErrorCode;
  readonly status: number;
  /** Private detail: goes to logs, never to clients. */
  readonly detail: string | undefined;
  /** Whether `message` may be shown to clients. */
  readonly expose: boolean;

  constructor(code: RadgateErrorCode, message: string, options: RadgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RadgateError';
    this.code = code;
    this.status = options.status ?? defaultStatus[code];
    this.detail = options.detail;
    this.expose = this.status < 500;
  }
}

export function isRadgateError(err: unknown): err is RadgateError {
  return err instanceof RadgateError;
}

/** Wrap anything thrown by a third party at a module boundary. */
export function wrapError(code: RadgateErrorCode, message: string, cause: unknown): RadgateError {
  if (cause instanceof RadgateError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RadgateError(code, message, { cause, detail });
}
