// Typed errors of the demo/test PACS peer: stable codes a test or the demo can branch on.

export type DemoPacsErrorCode =
  | 'orthanc-not-installed'
  | 'orthanc-start-failed'
  | 'orthanc-start-timeout'
  | 'orthanc-stop-failed'
  | 'dcmtk-not-installed'
  | 'fixture-missing'
  | 'synthetic-invalid'
  | 'load-failed';

export class DemoPacsError extends Error {
  readonly code: DemoPacsErrorCode;
  /** Private detail (log tail, tool stderr): for test output and logs, never for clients. */
  readonly detail: string | undefined;

  constructor(code: DemoPacsErrorCode, message: string, options: { detail?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DemoPacsError';
    this.code = code;
    this.detail = options.detail;
  }
}

export function isDemoPacsError(err: unknown): err is DemoPacsError {
  return err instanceof DemoPacsError;
}
