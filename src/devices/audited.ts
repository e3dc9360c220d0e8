// Runs one device operation and audits its refusal (the error's stable reason).
import { auditRefusal, type AuditLog } from '../audit/index.js';
import { isRadgateError } from '../errors/index.js';
import { isDeviceError } from './DeviceError.js';

export { userActor } from '../audit/index.js';

export function audited<T>(audit: Pick<AuditLog, 'append'>, event: { type: string; actor: string; detail?: Record<string, unknown> }, fn: () => Promise<T>): Promise<T> {
  return auditRefusal(audit, event, fn, (err) => ({ reason: isDeviceError(err) ? err.reason : isRadgateError(err) ? err.code : 'internal' }));
}
