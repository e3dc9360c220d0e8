// A data-plane caller for gateway tests: a user with a live agent login session (OIDC +
// WebAuthn), an active device with fresh posture and a client certificate from the
// broker's CA (key made by openssl, as a real agent or script would).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Broker } from '../../src/server.js';

export interface ClientCert {
  serial: string;
  /** Certificate chain PEM (leaf + intermediate). */
  cert: string;
  /** Private key PEM (PKCS#8). */
  key: string;
  /** Files with cert and key (for curl --cert/--key, dcmtk +tls key cert). */
  certFile: string;
  keyFile: string;
  userId: string;
  deviceId: string;
  sessionId: string;
}

export interface CallerOptions {
  name: string;
  department?: string;
  roles?: string[];
  kind?: 'workforce' | 'vendor' | 'service';
  organization?: string;
  /** Device posture tier; default "high". */
  tier?: string;
  /** Directory for the key and certificate files. */
  dir: string;
  ttlSeconds?: number;
  grantId?: string;
}

/** Creates the user, session and device, then issues a certificate. */
export async function makeCaller(broker: Broker, o: CallerOptions): Promise<ClientCert> {
  const t = Date.now();
  const tag = randomBytes(4).toString('hex');
  const row = await broker.store.users.upsertFromIdp({
    id: `usr_${o.name}_${tag}`,
    issuer: 'https://idp.test',
    subject: `${o.name}-${tag}`,
    kind: o.kind ?? 'workforce',
    organization: o.organization ?? 'st-mary',
    department: o.department ?? 'radiology',
    displayName: o.name,
    email: null,
    roles: JSON.stringify(o.roles ?? ['clinician']),
    createdAt: t,
    updatedAt: t,
  });
  const user = (await broker.identity.sessions.getUser(row.id))!;
  const { session } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', verifiedAt: t, credentialId: 'cred-1' });
  const deviceId = `dev_${o.name}_${tag}`;
  const deviceKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await broker.store.devices.insert({ id: deviceId, userId: user.id, name: `${o.name}-ws`, publicKey: deviceKey, state: 'active', createdAt: t, updatedAt: t });
  await broker.store.devices.recordPosture({ deviceId, collectedAt: t, receivedAt: t, signals: '{}', tier: o.tier ?? 'high', reasons: '[]' });
  return issueCert(broker, { userId: user.id, deviceId, sessionId: session.id, dir: o.dir, ttlSeconds: o.ttlSeconds, grantId: o.grantId });
}

/** Another certificate for an existing (user, device, session). */
export async function issueCert(broker: Broker, o: { userId: string; deviceId: string; sessionId: string; dir: string; ttlSeconds?: number; grantId?: string }): Promise<ClientCert> {
  const base = path.join(o.dir, randomBytes(6).toString('hex'));
  const keyFile = `${base}.key`;
  const certFile = `${base}.crt`;
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
  const csrPem = execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=ignored'], { encoding: 'utf8' });
  const issued = await broker.ca.issueFromCsr({ csrPem, userId: o.userId, deviceId: o.deviceId, sessionId: o.sessionId, ttlSeconds: o.ttlSeconds ?? 3600, ...(o.grantId ? { grantId: o.grantId } : {}) });
  execFileSync('bash', ['-c', 'umask 077; cat > "$0"', certFile], { input: issued.chainPem });
  return { serial: issued.serial, cert: issued.chainPem, key: readFileSync(keyFile, 'utf8'), certFile, keyFile, userId: o.userId, deviceId: o.deviceId, sessionId: o.sessionId };
}
