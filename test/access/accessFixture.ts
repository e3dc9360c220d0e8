// A real broker with the access module (config targets, webhook to a test receiver), users
// with agent sessions minted directly, and in-process calls to the control plane.
import { appCall } from '../helpers/appCall.js';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/index.js';
import type { User } from '../../src/identity/index.js';
import { verifyWebhook, type WebhookVerdict } from '../../src/notify/index.js';
import { controlApp, startBroker, type Broker } from '../../src/server.js';
import type { AuditRow } from '../../src/store/index.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef';

export interface Agent {
  user: User;
  token: string;
  sessionId: string;
}

export interface ReceivedWebhook {
  headers: { timestamp: string | null; signature: string | null; event: string | null };
  body: string;
  verdict: WebhookVerdict;
}

export interface AccessFixture {
  broker: Broker;
  app: Hono<AppEnv>;
  home: string;
  webhooks: ReceivedWebhook[];
  user(name: string, o?: { roles?: string[]; kind?: User['kind']; org?: string }): Promise<User>;
  agent(user: User, o?: { verifiedAt?: number | null; kind?: 'agent' | 'browser'; state?: 'active' | 'pending-key' }): Promise<Agent>;
  call(a: Agent | undefined, method: string, path: string, body?: unknown, raw?: { body: string; type?: string }): Promise<{ status: number; json: any }>;
  auditSince(seq: number, type?: string): Promise<AuditRow[]>;
  auditHead(): Promise<number>;
  /** Resolves with the first webhook of this type received after the call (or already there). */
  webhook(type: string, timeoutMs?: number): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

export const DEFAULT_TARGETS = [
  { name: 'ct-1-ssh', address: '127.0.0.1:1', labels: { site: 'main', department: 'radiology', owner: 'imaging-it', risk: 'low' } },
  { name: 'mr-2-service', address: '127.0.0.1:2', labels: { site: 'main', department: 'radiology', risk: 'high' } },
  { name: 'pacs-admin', address: '127.0.0.1:3', labels: { risk: 'medium' }, maxDuration: '1h' },
];

export async function accessFixture(overrides: Record<string, unknown> = {}): Promise<AccessFixture> {
  const webhooks: ReceivedWebhook[] = [];
  const waiters: (() => void)[] = [];
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { timestamp: header(req.headers['x-radgate-timestamp']), signature: header(req.headers['x-radgate-signature']), event: header(req.headers['x-radgate-event']) };
      webhooks.push({ headers, body, verdict: verifyWebhook(headers, body, WEBHOOK_SECRET) });
      res.writeHead(204).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const home = tmpHome('radgate-access-');
  const broker = await startBroker(
    testConfig(home, {
      'listen.control.port': await freePort(),
      'access.targets': DEFAULT_TARGETS,
      'webhook.url': hookUrl,
      'webhook.secret': WEBHOOK_SECRET,
      ...overrides,
    }),
  );
  const app = controlApp({
    store: broker.store,
    policy: broker.policy,
    ca: broker.ca,
    logger: broker.logger,
    identity: broker.identity,
    featureRoutes: [broker.devices.routes() as unknown as Hono<AppEnv>, broker.access.routes() as unknown as Hono<AppEnv>, broker.access.pageRoutes() as unknown as Hono<AppEnv>],
  });

  const f: AccessFixture = {
    broker,
    app,
    home,
    webhooks,
    async user(name, o = {}) {
      const t = Date.now();
      const tag = randomBytes(4).toString('hex');
      const row = await broker.store.users.upsertFromIdp({
        id: `usr_${name}_${tag}`,
        issuer: 'https://idp.test',
        subject: `${name}-${tag}`,
        kind: o.kind ?? 'workforce',
        organization: o.org ?? (o.kind === 'vendor' ? 'acme-imaging' : 'st-mary'),
        department: 'radiology',
        displayName: name,
        email: null,
        roles: JSON.stringify(o.roles ?? ['clinician']),
        createdAt: t,
        updatedAt: t,
      });
      return (await broker.identity.sessions.getUser(row.id))!;
    },
    async agent(user, o = {}) {
      const t = Date.now();
      const { token, session } = await broker.identity.sessions.createSession({
        user,
        kind: o.kind ?? 'agent',
        idp: 'test',
        amr: ['oidc', 'webauthn'],
        idpSid: null,
        oidcAt: t,
        state: o.state ?? 'active',
        credentialId: 'cred-1',
        verifiedAt: o.verifiedAt === undefined ? t : o.verifiedAt,
      });
      return { user, token, sessionId: session.id };
    },
    call: (a, method, path, body, raw) => appCall(app, a?.token, method, path, body, raw),
    async auditSince(seq, type) {
      await broker.audit.flush();
      return broker.store.audit.query({ afterSeq: seq, ...(type ? { type } : {}), limit: 1000 });
    },
    async auditHead() {
      await broker.audit.flush();
      return (await broker.store.audit.head())?.seq ?? 0;
    },
    webhook(type, timeoutMs = 5000) {
      const find = () => webhooks.find((w) => w.headers.event === type);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} webhook within ${timeoutMs} ms; got ${webhooks.map((w) => w.headers.event).join(', ')}`)), timeoutMs);
        const check = () => {
          const w = find();
          if (w) {
            clearTimeout(timer);
            resolve(w);
          } else waiters.push(check);
        };
        check();
      });
    },
    async close() {
      await broker.close();
      await new Promise<void>((r) => receiver.close(() => r()));
    },
  };
  return f;
}

function header(v: string | string[] | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/** The audit events' details, parsed. */
export function details(rows: AuditRow[]): Record<string, unknown>[] {
  return rows.map((r) => JSON.parse(r.detail) as Record<string, unknown>);
}
