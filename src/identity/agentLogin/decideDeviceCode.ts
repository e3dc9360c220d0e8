// RFC 8628 3.3: the signed-in user approves or denies a device request. The user-code
// row is taken (deleted) first, so each code is decided once even under concurrent posts.
// The route has checked the active browser session and the CSRF token.
import { RadgateError } from '../../errors/index.js';
import { appendAudit } from './appendAudit.js';
import { resolveUserCode } from './lookupUserCode.js';
import type { DeviceCodePayload } from './payloads.js';
import { PURPOSE, type AgentLoginDeps } from './types.js';

export interface DeviceDecider {
  parentSessionId: string;
  userId: string;
}

export async function approveDeviceCode(deps: AgentLoginDeps, req: DeviceDecider & { userCode: string }): Promise<void> {
  await decide(deps, req.userCode, { state: 'approved', userId: req.userId, parentSessionId: req.parentSessionId }, req);
}

export async function denyDeviceCode(deps: AgentLoginDeps, userCode: string, by?: DeviceDecider): Promise<void> {
  await decide(deps, userCode, { state: 'denied' }, by);
}

async function decide(
  deps: AgentLoginDeps,
  userCode: string,
  change: Pick<DeviceCodePayload, 'state' | 'userId' | 'parentSessionId'>,
  by: DeviceDecider | undefined,
): Promise<void> {
  const action = change.state === 'approved' ? 'approve' : 'deny';
  const refuse = async (reason: string): Promise<never> => {
    await appendAudit(deps, 'identity.agent.device', by?.userId, 'failure', { action, reason, ...(by ? { sessionId: by.parentSessionId } : {}) });
    throw new RadgateError('not-found', 'this code is unknown, expired or already used; start the sign-in on the device again', { detail: `device ${action}: ${reason}` });
  };
  const r = await resolveUserCode(deps, userCode);
  if (!r) return refuse('unknown-user-code');
  const now = deps.clock().getTime();
  if (!(await deps.challenges.take(r.userCodeHash, PURPOSE.userCode, now))) return refuse('already-decided');
  const next: DeviceCodePayload = { ...r.device, ...change };
  if (!(await deps.challenges.updatePayload(r.deviceCodeHash, PURPOSE.deviceCode, JSON.stringify(next)))) return refuse('device-code-gone');
  await appendAudit(deps, 'identity.agent.device', by?.userId, 'success', { action, ...(by ? { sessionId: by.parentSessionId } : {}) });
}
