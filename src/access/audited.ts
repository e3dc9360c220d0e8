// Runs one access operation and audits its refusal (the error's stable reason and, for
// policy refusals, the policy reasons).
import { auditRefusal, type AuditLog } from '../audit/index.js';
import { isRadgateError } from '../errors/index.js';
import { isAccessError } from './AccessError.js';

export { userActor } from '../audit/index.js';

export function audited<T>(audit: Pick<AuditLog, 'append'>, event: { type: string; actor: string; detail?: Record<string, unknown> }, fn: () => Promise<T>): Promise<T> {
  return auditRefusal(audit, event, fn, (err) => ({
    reason: isAccessError(err) ? err.reason : isRadgateError(err) ? err.code : 'internal',
    ...(isAccessError(err) && err.policyReasons.length > 0 ? { policyReasons: [...err.policyReasons] } : {}),
  }));
}
