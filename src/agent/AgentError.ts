// The agent's own error type (it imports nothing server-side): a stable code and a
// message written for the person at the terminal.

export type AgentErrorCode =
  | 'bad-server-url'
  | 'insecure-file'
  | 'bad-file'
  | 'not-logged-in'
  | 'untrusted-server'
  | 'fingerprint-mismatch'
  | 'state-mismatch'
  | 'timeout'
  | 'access-denied'
  | 'expired'
  | 'network'
  | 'protocol'
  | 'server-error'
  | 'not-enrolled'
  | 'already-enrolled'
  | 'unsupported';

export class AgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.code = code;
  }
}

export function isAgentError(err: unknown): err is AgentError {
  return err instanceof AgentError;
}
