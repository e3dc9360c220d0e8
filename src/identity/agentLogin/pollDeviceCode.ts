// RFC 8628 3.4-3.5: the agent polls with its device code. Pending polls faster than the
// interval get slow_down (and a 5 s longer interval from then on); an approval is handed
// out once (the row is taken); denial and expiry are reported once, then the code is gone.
import { appendAudit } from './appendAudit.js';
import { HANDLE_PATTERN, hashHandle } from './handles.js';
import { isDeviceCodePayload, parsePayload, type DeviceCodePayload } from './payloads.js';
import { PURPOSE, SLOW_DOWN_STEP_S, type AgentLoginDeps } from './types.js';

export type DevicePollResult =
  | { status: 'pending' }
  | { status: 'slow_down'; interval: number }
  | { status: 'denied' }
  | { status: 'expired' }
  /** Unknown, malformed or already used device code (invalid_grant). */
  | { status: 'invalid' }
  | { status: 'approved'; userId: string; parentSessionId: string };

export async function pollDeviceCode(deps: AgentLoginDeps, deviceCode: string, now: Date = deps.clock()): Promise<DevicePollResult> {
  const at = now.getTime();
  const failed = async (status: 'denied' | 'expired' | 'invalid', userId?: string): Promise<DevicePollResult> => {
    const error = status === 'denied' ? 'access_denied' : status === 'expired' ? 'expired_token' : 'invalid_grant';
    await appendAudit(deps, 'identity.agent.token', userId, 'failure', { grant: 'device_code', error });
    return { status };
  };
  if (typeof deviceCode !== 'string' || !HANDLE_PATTERN.test(deviceCode)) return failed('invalid');
  const idHash = hashHandle(deviceCode);
  // peek at time 0 also returns an expired row, so expiry can be told apart from unknown.
  const row = await deps.challenges.peek(idHash, PURPOSE.deviceCode, 0);
  const payload = row && parsePayload<DeviceCodePayload>(row.payload, isDeviceCodePayload);
  if (!row || !payload) return failed('invalid');
  if (row.expiresAt <= at) {
    await deps.challenges.take(idHash, PURPOSE.deviceCode, at);
    return failed('expired');
  }
  if (payload.state === 'denied') {
    await deps.challenges.take(idHash, PURPOSE.deviceCode, at);
    return failed('denied');
  }
  if (payload.state === 'approved') {
    // Single use: only the poll that deletes the row gets the session.
    const taken = await deps.challenges.take(idHash, PURPOSE.deviceCode, at);
    const approved = taken && parsePayload<DeviceCodePayload>(taken.payload, isDeviceCodePayload);
    if (!approved || approved.state !== 'approved' || !approved.userId || !approved.parentSessionId) return failed('invalid');
    return { status: 'approved', userId: approved.userId, parentSessionId: approved.parentSessionId };
  }
  const tooSoon = payload.lastPollAt !== null && at - payload.lastPollAt < payload.interval * 1000;
  const interval = tooSoon ? payload.interval + SLOW_DOWN_STEP_S : payload.interval;
  const next: DeviceCodePayload = { ...payload, interval, lastPollAt: at };
  await deps.challenges.updatePayload(idHash, PURPOSE.deviceCode, JSON.stringify(next));
  return tooSoon ? { status: 'slow_down', interval } : { status: 'pending' };
}
