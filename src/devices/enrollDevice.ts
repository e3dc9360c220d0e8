// Enrolment: proof of possession of a new P-256 key, policy `device.enroll`, then active
// (auto-approve roles) or pending until an administrator approves.
import { randomBytes } from 'node:crypto';
import type { AuthFacts, User } from '../identity/index.js';
import { authContext } from '../identity/index.js';
import type { EntityDescription } from '../policy/index.js';
import { audited, userActor } from './audited.js';
import { deviceEntity } from './deviceEntity.js';
import { DeviceError } from './DeviceError.js';
import type { DevicesDeps } from './devicesDeps.js';
import { jwsBodySchema } from './postureSchema.js';
import { verifyEnrolmentRequest } from './verifyEnrolmentRequest.js';

export interface Caller {
  user: User;
  principal: EntityDescription;
  auth: AuthFacts;
}

export interface EnrolResult {
  deviceId: string;
  state: 'active' | 'pending';
}

export async function enrollDevice(deps: DevicesDeps, caller: Caller, body: unknown): Promise<EnrolResult> {
  const actor = userActor(caller.user.id);
  return audited(deps.audit, { type: 'device.enroll', actor }, async () => {
    const now = deps.clock();
    const parsed = jwsBodySchema.safeParse(body);
    if (!parsed.success) throw new DeviceError('request-malformed');
    const enrol = await verifyEnrolmentRequest(parsed.data.jws, { now });
    const deviceId = `dev_${randomBytes(16).toString('base64url')}`;
    const decision = deps.policy.authorize(caller.principal, 'device.enroll', deviceEntity(deviceId, caller.user.id), { auth: authContext(caller.auth) });
    if (decision.decision !== 'allow') throw new DeviceError('policy-denied', { message: `denied by policy (${decision.reasons.join(', ')})` });
    const state = caller.user.roles.some((r) => deps.devices.autoApproveRoles.includes(r)) ? 'active' : 'pending';
    const { facts, name } = enrol.payload;
    const inserted = await deps.store.devices.insertIfKeyNew({
      id: deviceId,
      userId: caller.user.id,
      name: name ?? facts.hostname,
      publicKey: enrol.spkiPem,
      state,
      facts: JSON.stringify(facts),
      createdAt: now,
      updatedAt: now,
    });
    if (!inserted) throw new DeviceError('key-already-enrolled');
    await deps.audit.append({ type: 'device.enroll', actor, outcome: 'success', detail: { deviceId, state, hostname: facts.hostname, os: facts.os } });
    return { deviceId, state };
  });
}
