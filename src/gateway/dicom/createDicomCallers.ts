// Who is on the other end of a DICOM TLS connection, from its verified client certificate:
// a person (user + live login session + device posture, through the gateways' shared
// certificate checks in ../resolveCaller.ts) or a service principal (a modality registered by
// an administrator with its AE titles and host). Also: which calling AE titles each may use.
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readCertificateIdentity, type Ca } from '../../ca/index.js';
import type { Devices } from '../../devices/index.js';
import type { EventBus } from '../../events/index.js';
import type { Identity } from '../../identity/index.js';
import type { DecisionContext, EntityDescription } from '../../policy/index.js';
import type { Store } from '../../store/index.js';
import { certificateCaller, normaliseAddress } from '../resolveCaller.js';

export interface DicomCaller {
  kind: 'user' | 'service';
  userId: string;
  deviceId: string;
  serial: string;
  loginSessionId: string | null;
  grantId: string | null;
  principal: EntityDescription;
  auth?: NonNullable<DecisionContext['auth']>;
  device: NonNullable<DecisionContext['device']>;
  /** Calling AE titles this principal may present (and send C-MOVE results to). */
  aeTitles: readonly string[];
  /** Certificate expiry (ms since the epoch): the association ends then at the latest. */
  notAfter: number;
}

export type DicomCallerResult = { ok: true; caller: DicomCaller } | { ok: false; reason: string; userId?: string; serial?: string };

export interface DicomCallersDeps {
  ca: Pick<Ca, 'isRevoked'>;
  identity: Pick<Identity, 'sessions'>;
  devices: Pick<Devices, 'deviceContext'>;
  store: { devices: Pick<Store['devices'], 'getServicePrincipal'> };
  bus?: Pick<EventBus, 'on'>;
  /** Calling AE titles any user (through the agent) may present. */
  userAeTitles: readonly string[];
  clock: () => number;
}

export interface DicomCallers {
  resolve(socket: TLSSocket): Promise<DicomCallerResult>;
  close(): void;
}

const SERVICE_PREFIX = 'svc_';

export function createDicomCallers(deps: DicomCallersDeps): DicomCallers {

  async function service(socket: TLSSocket, id: NonNullable<ReturnType<typeof readCertificateIdentity>>, notAfter: number): Promise<DicomCallerResult> {
    const fail = (reason: string): DicomCallerResult => ({ ok: false, reason, userId: id.userId, serial: id.serial });
    const now = deps.clock();
    if (deps.ca.isRevoked(id.serial)) return fail('certificate-revoked');
    if (notAfter <= now) return fail('certificate-expired');
    const row = await deps.store.devices.getServicePrincipal(id.userId);
    if (!row || row.state !== 'active') return fail('service-principal-inactive');
    // A registered IP address binds the principal to that host (DNS names are not resolved here).
    if (row.host && isIP(row.host) !== 0 && normaliseAddress(socket.remoteAddress) !== row.host) return fail('service-principal-host-mismatch');
    const owner = await deps.identity.sessions.getUser(row.ownerUserId);
    if (!owner || owner.disabled) return fail('service-principal-owner-disabled');
    const attrs: Record<string, string> = { kind: 'service', org: owner.organization ?? '' };
    if (owner.department) attrs.department = owner.department;
    return {
      ok: true,
      caller: {
        kind: 'service',
        userId: row.id,
        deviceId: row.id,
        serial: id.serial,
        loginSessionId: null,
        grantId: null,
        principal: { uid: { type: 'Radgate::User', id: row.id }, attrs },
        // Fixed equipment has no agent posture: an active registration stands for a managed device.
        device: { id: row.id, managed: true, tier: 'standard', stale: false },
        aeTitles: JSON.parse(row.aeTitles) as string[],
        notAfter,
      },
    };
  }

  return {
    async resolve(socket) {
      const x509 = socket.authorized ? socket.getPeerX509Certificate() : undefined;
      if (!x509) return { ok: false, reason: 'client-certificate-required' };
      const id = readCertificateIdentity(x509);
      if (!id) return { ok: false, reason: 'certificate-unusable' };
      const notAfter = Date.parse(x509.validTo);
      // The CA names a service principal as its own user, device and session.
      if (id.userId.startsWith(SERVICE_PREFIX) && id.deviceId === id.userId && id.sessionId === id.userId) return service(socket, id, notAfter);
      // No reuse across checks: every association and every recheck reads current facts.
      const r = await certificateCaller(deps, x509, deps.clock());
      if (!r.ok) return { ok: false, reason: r.reason, userId: id.userId, serial: id.serial };
      const c = r.caller;
      return {
        ok: true,
        caller: {
          kind: 'user',
          userId: c.user.id,
          deviceId: id.deviceId,
          serial: id.serial,
          loginSessionId: c.session.id,
          grantId: id.grantId ?? null,
          principal: c.principal,
          auth: c.auth,
          device: c.device,
          aeTitles: deps.userAeTitles,
          notAfter: Math.min(notAfter, c.session.expiresAt),
        },
      };
    },
    close: () => undefined,
  };
}
