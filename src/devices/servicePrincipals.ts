// Service principals for fixed equipment (a modality, a viewing workstation): an
// administrator registers the AE titles / host and an accountable owner, and issues a
// longer-lived certificate naming the principal. Revocable and audited like devices.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { MAX_CSR_PEM_LENGTH, parseCsr } from '../ca/index.js';
import type { ServicePrincipalRow } from '../store/index.js';
import { assertAdmin, assertFreshStepUp, type AdminCaller } from './adminDevices.js';
import { audited, userActor } from './audited.js';
import { DeviceError } from './DeviceError.js';
import type { DevicesDeps } from './devicesDeps.js';
import type { CertificateResult } from './issueDeviceCertificate.js';

// PS3.5 6.2 (AE VR): 1-16 characters of the default repertoire without backslash or
// control characters, not all spaces; leading/trailing spaces are not significant.
const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const createSchema = z
  .object({
    name: z.string().min(1).max(64),
    ownerUserId: z.string().min(1).max(256),
    aeTitles: z
      .array(z.string().refine((t) => AE_TITLE.test(t) && t.trim().length > 0, { error: 'an AE title is 1-16 printable characters without backslash' }))
      .min(1)
      .max(32),
    host: z.string().refine((h) => isIP(h) !== 0 || DNS_NAME.test(h), { error: 'host must be a DNS name or an IP address' }).optional(),
    csr: z.string().min(1).max(MAX_CSR_PEM_LENGTH),
    ttlSeconds: z.number().int().min(60).optional(),
  })
  .strict();

export interface ServicePrincipalView {
  id: string;
  name: string;
  ownerUserId: string;
  aeTitles: string[];
  host: string | null;
  state: ServicePrincipalRow['state'];
  createdAt: number;
}

export function servicePrincipalView(r: ServicePrincipalRow): ServicePrincipalView {
  return { id: r.id, name: r.name, ownerUserId: r.ownerUserId, aeTitles: JSON.parse(r.aeTitles) as string[], host: r.host, state: r.state, createdAt: r.createdAt };
}

export async function createServicePrincipal(deps: DevicesDeps, c: AdminCaller, body: unknown): Promise<{ servicePrincipal: ServicePrincipalView; certificate: CertificateResult }> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'service-principal.create', actor }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c.session, deps.stepUpMaxAgeSeconds, now);
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) throw new DeviceError('request-malformed', { detail: parsed.error.issues[0]?.message, message: `the request is not in the expected form: ${parsed.error.issues[0]?.message ?? ''}` });
    const p = parsed.data;
    if (!(await deps.store.users.get(p.ownerUserId))) throw new DeviceError('owner-not-found');
    await parseCsr(p.csr); // refuse a bad CSR before anything is stored
    const id = `svc_${randomBytes(16).toString('base64url')}`;
    const aeTitles = [...new Set(p.aeTitles.map((t) => t.trim()))];
    await deps.store.devices.insertServicePrincipal({ id, name: p.name, ownerUserId: p.ownerUserId, aeTitles: JSON.stringify(aeTitles), host: p.host ?? null, state: 'active', createdAt: now, updatedAt: now });
    const ttlSeconds = Math.min(p.ttlSeconds ?? deps.devices.serviceCertTtl, deps.devices.serviceCertTtl);
    // The principal is its own user, device and session in the certificate's names.
    const cert = await deps.ca.issueFromCsr({ csrPem: p.csr, userId: id, deviceId: id, sessionId: id, ttlSeconds, now: new Date(now) });
    await deps.audit.append({
      type: 'service-principal.create',
      actor,
      outcome: 'success',
      detail: { servicePrincipalId: id, name: p.name, owner: p.ownerUserId, aeTitles, host: p.host ?? null, serial: cert.serial, notAfter: cert.notAfter.toISOString() },
    });
    const row = await deps.store.devices.getServicePrincipal(id);
    return {
      servicePrincipal: servicePrincipalView(row!),
      certificate: { serial: cert.serial, certificatePem: cert.certificatePem, chainPem: cert.chainPem, notAfter: cert.notAfter.toISOString() },
    };
  });
}

export async function revokeServicePrincipal(deps: DevicesDeps, c: AdminCaller, id: string): Promise<{ id: string; state: 'revoked'; revokedCertificates: string[] }> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'service-principal.revoke', actor, detail: { servicePrincipalId: id } }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c.session, deps.stepUpMaxAgeSeconds, now);
    const row = await deps.store.devices.getServicePrincipal(id);
    if (!row) throw new DeviceError('service-principal-not-found');
    if (row.state === 'revoked') throw new DeviceError('device-revoked');
    await deps.store.devices.setServicePrincipalState(id, 'revoked', now);
    const serials = await deps.ca.revokeWhere({ deviceId: id }, 'cessationOfOperation', actor);
    deps.bus.emit({ type: 'device.revoked', deviceId: id });
    await deps.audit.append({ type: 'service-principal.revoke', actor, outcome: 'success', detail: { servicePrincipalId: id, serials } });
    return { id, state: 'revoked', revokedCertificates: serials };
  });
}
