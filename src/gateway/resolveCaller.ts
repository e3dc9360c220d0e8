// Who a data-plane connection speaks for, from its verified client certificate: the
// certificate (revocation, validity) → user (not disabled) → live login session →
// active device with its posture. Shared by the gateways (tunnel today; the DICOMweb
// gateway uses certificateCaller beside its cookie path).
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { readCertificateIdentity, type Ca, type CertificateIdentity } from '../ca/index.js';
import type { Devices } from '../devices/index.js';
import { authContext, authFacts, principalFor, type Identity, type SessionInfo, type User } from '../identity/index.js';
import type { DecisionContext, EntityDescription } from '../policy/index.js';

export interface CertificateCaller {
  id: CertificateIdentity;
  user: User;
  session: SessionInfo;
  principal: EntityDescription;
  auth: NonNullable<DecisionContext['auth']>;
  device: NonNullable<DecisionContext['device']>;
}

export type CertificateCallerResult = { ok: true; caller: CertificateCaller } | { ok: false; reason: string; detail: string; id?: CertificateIdentity };

export interface CertificateCallerDeps {
  ca: Pick<Ca, 'isRevoked'>;
  identity: Pick<Identity, 'sessions'>;
  devices: Pick<Devices, 'deviceContext'>;
  clock: () => number;
}

export function createCertificateCallerResolver(deps: CertificateCallerDeps): (socket: TLSSocket) => Promise<CertificateCallerResult> {
  return async (socket) => {
    if (!socket.authorized) return { ok: false, reason: 'client-certificate-required', detail: 'a verified client certificate is required' };
    const x509 = socket.getPeerX509Certificate();
    if (!x509) return { ok: false, reason: 'certificate-unusable', detail: 'the client certificate does not name a radgate user, device and session' };
    return certificateCaller(deps, x509, deps.clock());
  };
}

/** The checks behind a verified certificate (chain already verified by TLS). */
export async function certificateCaller(deps: Omit<CertificateCallerDeps, 'clock'>, x509: X509Certificate, now: number): Promise<CertificateCallerResult> {
  const id = readCertificateIdentity(x509);
  if (!id) return { ok: false, reason: 'certificate-unusable', detail: 'the client certificate does not name a radgate user, device and session' };
  if (deps.ca.isRevoked(id.serial)) return { ok: false, reason: 'certificate-revoked', detail: 'the client certificate is revoked', id };
  if (Date.parse(x509.validTo) <= now || Date.parse(x509.validFrom) > now) return { ok: false, reason: 'certificate-expired', detail: 'the client certificate is not valid now', id };
  const user = await deps.identity.sessions.getUser(id.userId);
  if (!user || user.disabled) return { ok: false, reason: 'user-disabled', detail: 'the user is unknown or disabled', id };
  const session = await deps.identity.sessions.getSession(id.sessionId);
  if (!session || session.userId !== user.id || session.state !== 'active' || session.expiresAt <= now) {
    return { ok: false, reason: 'login-session-ended', detail: 'the login session behind this certificate has ended; log in again', id };
  }
  const device = await deps.devices.deviceContext(id.deviceId, user.id);
  if (!device) return { ok: false, reason: 'device-inactive', detail: 'the device is unknown, not yours or not active', id };
  return { ok: true, caller: { id, user, session, principal: principalFor(user), auth: authContext(authFacts(session, now)), device } };
}

/** IPv4-mapped IPv6 to dotted IPv4 (Cedar `ip()` and audit readers expect the plain form). */
export function normaliseAddress(a: string | undefined): string | undefined {
  if (!a) return undefined;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
