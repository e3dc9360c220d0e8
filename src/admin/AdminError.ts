// Refusals of the admin console and API, with stable reasons.
import { RadgateError, type RadgateErrorCode } from '../errors/index.js';

export type AdminFailure = 'sign-in-required' | 'security-key-required' | 'not-admin' | 'read-only' | 'bad-query' | 'not-found' | 'browser-only';

const MAP: Record<AdminFailure, [RadgateErrorCode, string]> = {
  'sign-in-required': ['unauthenticated', 'sign in first'],
  'security-key-required': ['unauthenticated', 'confirm the sign-in with your security key first'],
  'not-admin': ['forbidden', 'the admin console is for administrators and auditors'],
  'read-only': ['forbidden', 'your role can read the console but not change anything'],
  'bad-query': ['bad-request', 'bad query'],
  'not-found': ['not-found', 'not found'],
  'browser-only': ['forbidden', 'approvals need a security-key confirmation in the browser console'],
};

export class AdminError extends RadgateError {
  readonly reason: AdminFailure;

  constructor(reason: AdminFailure, o: { message?: string; detail?: string } = {}) {
    const [code, message] = MAP[reason];
    super(code, o.message ?? message, o.detail ? { detail: o.detail } : {});
    this.name = 'AdminError';
    this.reason = reason;
  }
}
