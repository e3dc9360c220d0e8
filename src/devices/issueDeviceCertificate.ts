// Certificate issue for an agent: the checks in order (session, device, posture, grant,
// policy), the lifetime rule, then the CA. Names in the CSR are ignored by the CA.
import { z } from 'zod';
import { MAX_CSR_PEM_LENGTH } from '../ca/index.js';
import type { SessionInfo } from '../identity/index.js';
import { authContext } from '../identity/index.js';
import { audited, userActor } from './audited.js';
import { computeCertificateTtl } from './computeCertificateTtl.js';
import { deviceContext, deviceEntity, postureState } from './deviceEntity.js';
import { DeviceError } from './DeviceError.js';
import type { DevicesDeps } from './devicesDeps.js';
import type { Caller } from './enrollDevice.js';
import { assertActive, ownedDevice } from './ownedDevice.js';

const bodySchema = z
  .object({
    csr: z.string().min(1).max(MAX_CSR_PEM_LENGTH),
    deviceId: z.string().min(1).max(256),
    grantId: z.string().min(1).max(256).optional(),
  })
  .strict();

export interface CertificateResult {
  serial: string;
  certificatePem: string;
  chainPem: string;
  notAfter: string;
}

/** Only after a security-key verification: state active and `webauthn` among the methods. */
export function assertWebauthnSession(session: SessionInfo): void {
  if (session.state !== 'active' || !session.amr.includes('webauthn') || session.verifiedAt === null) throw new DeviceError('webauthn-required');
}

export async function issueDeviceCertificate(deps: DevicesDeps, caller: Caller & { session: SessionInfo }, body: unknown): Promise<CertificateResult> {
  const actor = userActor(caller.user.id);
  const b = body as { deviceId?: unknown } | null;
  const detail = { deviceId: typeof b?.deviceId === 'string' ? b.deviceId.slice(0, 256) : null, sessionId: caller.session.id };
  return audited(deps.audit, { type: 'certificate.issue', actor, detail }, async () => {
    assertWebauthnSession(caller.session);
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) throw new DeviceError('request-malformed', { detail: parsed.error.issues[0]?.message });
    const { csr, deviceId, grantId } = parsed.data;
    const device = await ownedDevice(deps.store.devices, deviceId, caller.user.id);
    assertActive(device);
    const now = deps.clock();
    const posture = postureState(device, now, deps.devices.posture.maxAge);
    if (posture.postureAgeSeconds === undefined) throw new DeviceError('posture-missing');
    if (posture.stale) throw new DeviceError('posture-stale');
    let grantEndsAt: number | undefined;
    if (grantId !== undefined) {
      const grant = await deps.grants?.activeGrant(grantId, caller.user.id, now);
      if (!grant) throw new DeviceError('grant-invalid');
      grantEndsAt = grant.endsAt;
    }
    const decision = deps.policy.authorize(caller.principal, 'certificate.issue', deviceEntity(device.id, caller.user.id), {
      auth: authContext(caller.auth),
      device: deviceContext(device.id, posture),
    });
    if (decision.decision !== 'allow') throw new DeviceError('policy-denied', { message: `denied by policy (${decision.reasons.join(', ')})` });
    const ttl = computeCertificateTtl({
      userKind: caller.user.kind,
      roles: caller.user.roles,
      roleMaxTtl: deps.devices.roleMaxTtl,
      defaultMaxTtl: deps.devices.defaultMaxTtl,
      now,
      sessionExpiresAt: caller.session.expiresAt,
      grantEndsAt,
    });
    if (ttl.ttlSeconds < 1) throw new DeviceError('session-required', { message: 'the login session has ended; log in again' });
    await decision.durable;
    const cert = await deps.ca.issueFromCsr({ csrPem: csr, userId: caller.user.id, deviceId: device.id, sessionId: caller.session.id, grantId, ttlSeconds: ttl.ttlSeconds, now: new Date(now) });
    await deps.audit.append({
      type: 'certificate.issue',
      actor,
      outcome: 'success',
      detail: { ...detail, serial: cert.serial, grantId: grantId ?? null, ttlSeconds: ttl.ttlSeconds, boundBy: ttl.boundBy, tier: posture.tier },
    });
    return { serial: cert.serial, certificatePem: cert.certificatePem, chainPem: cert.chainPem, notAfter: cert.notAfter.toISOString() };
  });
}
