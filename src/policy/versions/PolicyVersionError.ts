// Why a policy version operation was refused: a stable reason, an HTTP status through
// RadgateError, and for invalid sets or failing tests the details people must fix.
import { RadgateError, type RadgateErrorCode } from '../../errors/index.js';
import type { PolicyIssue } from '../types.js';

export type PolicyVersionFailure =
  | 'files-invalid'
  | 'policy-invalid'
  | 'tests-failed'
  | 'not-found'
  | 'not-proposed'
  | 'already-approved'
  | 'self-approval'
  | 'not-permitted'
  | 'step-up-required'
  | 'identical-to-active'
  | 'already-proposed'
  | 'not-a-previous-version'
  | 'emergency-disabled'
  | 'window-invalid';

const CODES: Record<PolicyVersionFailure, RadgateErrorCode> = {
  'files-invalid': 'bad-request',
  'policy-invalid': 'policy-invalid',
  'tests-failed': 'policy-invalid',
  'not-found': 'not-found',
  'not-proposed': 'conflict',
  'already-approved': 'conflict',
  'self-approval': 'forbidden',
  'not-permitted': 'forbidden',
  'step-up-required': 'unauthenticated',
  'identical-to-active': 'conflict',
  'already-proposed': 'conflict',
  'not-a-previous-version': 'conflict',
  'emergency-disabled': 'forbidden',
  'window-invalid': 'bad-request',
};

export interface FailedTest {
  name: string;
  file: string;
  message: string;
}

export class PolicyVersionError extends RadgateError {
  readonly reason: PolicyVersionFailure;
  readonly issues: readonly PolicyIssue[];
  readonly failedTests: readonly FailedTest[];

  constructor(reason: PolicyVersionFailure, message: string, extra: { issues?: readonly PolicyIssue[]; failedTests?: readonly FailedTest[]; cause?: unknown } = {}) {
    super(CODES[reason], message, extra.cause === undefined ? {} : { cause: extra.cause });
    this.name = 'PolicyVersionError';
    this.reason = reason;
    this.issues = extra.issues ?? [];
    this.failedTests = extra.failedTests ?? [];
  }
}

export function isPolicyVersionError(err: unknown): err is PolicyVersionError {
  return err instanceof PolicyVersionError;
}
