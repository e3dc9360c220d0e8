// A radgate OIDC relying party over a real store, audit chain and event bus, for tests
// against real and hostile IdPs.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openAuditLog, type OpenedAuditLog } from '../../src/audit/index.js';
import { configSchema } from '../../src/config/index.js';
import { createInProcessBus, type RadgateEvent } from '../../src/events/index.js';
import { createOidcClients, createOidcRp, type IdpConfig, type OidcFetch, type OidcRp } from '../../src/identity/oidc/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tmpHome } from '../helpers/tmpHome.js';

export const REDIRECT_URI = 'http://127.0.0.1:9/auth/oidc/callback';

export interface AuditRecord {
  type: string;
  actor: string;
  outcome: string;
  detail: Record<string, unknown>;
}

export interface OidcFixture {
  rp: OidcRp;
  store: Store;
  audit: OpenedAuditLog;
  busEvents: RadgateEvent[];
  drainBus(): Promise<void>;
  auditEvents(type?: string): Promise<AuditRecord[]>;
  /** Row counts that a refused sign-in must leave unchanged. */
  snapshot(): Promise<{ users: string; sessions: string }>;
  close(): Promise<void>;
}

/** Parses IdP entries exactly as radgate.yaml would (defaults applied). */
export function idpEntries(raw: unknown[]): IdpConfig[] {
  return configSchema.parse({ identity: { idps: raw } }).identity.idps;
}

export async function oidcFixture(raw: unknown[], options: { redirectUri?: string; now?: () => number; fetch?: OidcFetch } = {}): Promise<OidcFixture> {
  const home = tmpHome('radgate-oidc-');
  const store = await openStore({ location: path.join(home, 'radgate.db') });
  const audit = await openAuditLog({ store, home, checkpointEvery: 1000, checkpointIntervalSeconds: 0 });
  const bus = createInProcessBus((err) => {
    throw err;
  });
  const busEvents: RadgateEvent[] = [];
  bus.onAny((e) => void busEvents.push(e));
  const clients = createOidcClients(idpEntries(raw), { mode: 'development', ...(options.fetch ? { fetch: options.fetch } : {}) });
  const rp = createOidcRp({ clients, store, audit, bus, redirectUri: options.redirectUri ?? REDIRECT_URI, ...(options.now ? { now: options.now } : {}) });
  return {
    rp,
    store,
    audit,
    busEvents,
    drainBus: () => bus.drain(),
    async auditEvents(type) {
      await audit.flush();
      const out: AuditRecord[] = [];
      for await (const row of store.audit.iterate(0)) {
        if (type && row.type !== type) continue;
        out.push({ type: row.type, actor: row.actor, outcome: row.outcome, detail: JSON.parse(row.detail) as Record<string, unknown> });
      }
      return out;
    },
    async snapshot() {
      const users = await store.users.list();
      const sessions = (await Promise.all(users.map((u) => store.sessions.listForUser(u.id, { includeEnded: true })))).flat();
      return { users: JSON.stringify(users), sessions: JSON.stringify(sessions) };
    },
    async close() {
      await audit.close();
      await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
