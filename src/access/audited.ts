// Runs one access operation and audits its refusal: the error's stable reason goes to
// the audit log (never request bodies), then the error goes to the caller.
import type { AuditLog } from '../audit/index.js';
import { isRadgateError } from '../errors/index.js';
import { isAccessError } from './AccessError.js';

export async function audited<T>(
  audit: Pick<AuditLog, 'append'>,
  event: { type: string; actor: string; detail?: Record<string, unknown> },
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const reason = isAccessError(err) ? err.reason : isRadgateError(err) ? err.code : 'internal';
    const policyReasons = isAccessError(err) && err.policyReasons.length > 0 ? { policyReasons: [...err.policyReasons] } : {};
    await audit.append({ type: event.type, actor: event.actor, outcome: 'failure', detail: { ...event.detail, reason, ...policyReasons } });
    throw err;
  }
}

/** The audit actor for a user: Cedar uid syntax. */
export const userActor = (userId: string): string => `Radgate::User::${JSON.stringify(userId)}`;
