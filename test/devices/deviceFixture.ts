// A real broker (store, audit, CA, policy, identity middleware) with the devices routes
// mounted in-process, agent sessions minted directly, and an agent's JWS signing.
import { appCall } from '../helpers/appCall.js';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { createDevices, wireRevocation, type Devices } from '../../src/devices/index.js';
import type { AppEnv } from '../../src/http/index.js';
import type { User } from '../../src/identity/index.js';
import { controlApp, startBroker, type Broker } from '../../src/server.js';
import type { AuditRow } from '../../src/store/index.js';
import { devicesConfigSchema } from '../../src/config/devicesSchema.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

export interface DeviceKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Record<string, string>;
}

export function deviceKey(): DeviceKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const j = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey, jwk: { kty: j.kty!, crv: j.crv!, x: j.x!, y: j.y! } };
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** JWS compact, ES256 with a raw r||s signature, exactly as the agent signs. */
export function signJws(header: Record<string, unknown>, payload: unknown, key: KeyObject): string {
  const input = `${b64({ alg: 'ES256', ...header })}.${b64(payload)}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

import { goodSignals } from './goodSignals.js';

export { goodSignals };

export interface Agent {
  user: User;
  token: string;
  sessionId: string;
  expiresAt: number;
}

export interface Fixture {
  broker: Broker;
  app: Hono<AppEnv>;
  devices: Devices;
  /** Added to Date.now() for the devices module's clock. */
  skew: { ms: number };
  now(): number;
  home: string;
  close(): Promise<void>;
  user(name: string, o?: { roles?: string[]; kind?: User['kind'] }): Promise<User>;
  agent(user: User, o?: { amr?: string[]; state?: 'active' | 'pending-key'; verifiedAt?: number | null; kind?: 'agent' | 'browser' }): Promise<Agent>;
  call(a: Agent | undefined, method: string, path: string, body?: unknown, raw?: { body: string; type?: string }): Promise<{ status: number; json: any }>;
  enroll(a: Agent, key?: DeviceKey): Promise<{ deviceId: string; state: string; key: DeviceKey }>;
  report(a: Agent, deviceId: string, key: KeyObject, o?: { signals?: Record<string, unknown>; nonce?: string; tamper?: (jws: string) => string }): Promise<{ status: number; json: any; nonce: string }>;
  auditSince(seq: number, type?: string): Promise<AuditRow[]>;
  auditHead(): Promise<number>;
}

export async function deviceFixture(overrides: Record<string, unknown> = {}): Promise<Fixture> {
  const home = tmpHome('radgate-devices-');
  const broker = await startBroker(testConfig(home, { 'listen.control.port': await freePort(), ...overrides }));
  const skew = { ms: 0 };
  const now = () => Date.now() + skew.ms;
  const devices = createDevices({
    config: broker.config,
    devicesConfig: devicesConfigSchema.parse({ autoApproveRoles: ['clinician', 'admin'] }),
    store: broker.store,
    audit: broker.audit,
    bus: broker.bus,
    policy: broker.policy,
    ca: broker.ca,
    clock: now,
  });
  const unwire = wireRevocation({ bus: broker.bus, ca: broker.ca, store: broker.store });
  const app = controlApp({ store: broker.store, policy: broker.policy, ca: broker.ca, logger: broker.logger, identity: broker.identity, featureRoutes: [devices.routes() as unknown as Hono<AppEnv>] });

  const f: Fixture = {
    broker,
    app,
    devices,
    skew,
    now,
    home,
    close: async () => {
      unwire();
      await broker.close();
    },
    async user(name, o = {}) {
      const t = Date.now();
      const row = await broker.store.users.upsertFromIdp({
        id: `usr_${name}_${randomBytes(4).toString('hex')}`,
        issuer: 'https://idp.test',
        subject: `${name}-${randomBytes(4).toString('hex')}`,
        kind: o.kind ?? 'workforce',
        organization: 'st-mary',
        department: 'radiology',
        displayName: name,
        email: null,
        roles: JSON.stringify(o.roles ?? ['clinician']),
        createdAt: t,
        updatedAt: t,
      });
      return { id: row.id, issuer: row.issuer, subject: row.subject, kind: row.kind, organization: row.organization, department: row.department, displayName: row.displayName, email: row.email, roles: JSON.parse(row.roles) as string[], disabled: row.disabled };
    },
    async agent(user, o = {}) {
      const t = Date.now();
      const { token, session } = await broker.identity.sessions.createSession({
        user,
        kind: o.kind ?? 'agent',
        idp: 'test',
        amr: o.amr ?? ['oidc', 'webauthn'],
        idpSid: null,
        oidcAt: t,
        state: o.state ?? 'active',
        credentialId: 'cred-1',
        verifiedAt: o.verifiedAt === undefined ? t : o.verifiedAt,
      });
      return { user, token, sessionId: session.id, expiresAt: session.expiresAt };
    },
    call: (a, method, path, body, raw) => appCall(app, a?.token, method, path, body, raw),
    async enroll(a, key = deviceKey()) {
      const jws = signJws({ typ: 'radgate-enroll+jwt', jwk: key.jwk }, { facts: { hostname: 'ws-1', os: 'linux', machineId: 'm-1' }, iat: Math.floor(now() / 1000) }, key.privateKey);
      const r = await f.call(a, 'POST', '/devices/enroll', { jws });
      if (r.status !== 201) throw new Error(`enrol failed: ${r.status} ${JSON.stringify(r.json)}`);
      return { ...(r.json as { deviceId: string; state: string }), key };
    },
    async report(a, deviceId, key, o = {}) {
      let nonce = o.nonce;
      if (nonce === undefined) {
        const n = await f.call(a, 'POST', `/devices/${deviceId}/posture/nonce`);
        if (n.status !== 200) throw new Error(`nonce failed: ${n.status} ${JSON.stringify(n.json)}`);
        nonce = (n.json as { nonce: string }).nonce;
      }
      let jws = signJws({ typ: 'radgate-posture+jwt' }, { deviceId, nonce, collectedAt: now(), agentVersion: '0.1.0', signals: o.signals ?? goodSignals }, key);
      if (o.tamper) jws = o.tamper(jws);
      const r = await f.call(a, 'POST', `/devices/${deviceId}/posture`, { jws });
      return { ...r, nonce };
    },
    async auditSince(seq, type) {
      await broker.audit.flush();
      return broker.store.audit.query({ afterSeq: seq, ...(type ? { type } : {}), limit: 1000 });
    },
    async auditHead() {
      await broker.audit.flush();
      return (await broker.store.audit.head())?.seq ?? 0;
    },
  };
  return f;
}
