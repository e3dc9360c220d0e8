// Test-only: an in-memory store, audit sink, event bus and clock wired to the sessions
// and security-key modules, plus helpers to make users, sessions and keys.
import { createInProcessBus, type RadgateEvent } from '../../events/index.js';
import { createMemoryAuditSink } from '../../policy/index.js';
import { openStore, type Store } from '../../store/index.js';
import { createSessionManager, userFromRow, type SessionManager } from '../sessions/index.js';
import type { SessionInfo, User } from '../types.js';
import { createWebauthn } from './createWebauthn.js';
import type { RelyingParty } from './relyingParty.js';
import { SoftAuthenticator } from './softAuthenticator.testkit.js';

export const ORIGIN = 'https://localhost:8443';
export const RP_ID = 'localhost';
export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

export interface Fixture {
  store: Store;
  audit: ReturnType<typeof createMemoryAuditSink>;
  events: RadgateEvent[];
  bus: ReturnType<typeof createInProcessBus>;
  clock: { t: number };
  now: () => number;
  rp: RelyingParty;
  sessions: SessionManager;
  webauthn: ReturnType<typeof createWebauthn>;
  user(id: string, opts?: { roles?: string[]; disabled?: boolean; org?: string; department?: string | null }): Promise<User>;
  signIn(user: User, state?: 'pending-key' | 'active'): Promise<{ token: string; session: SessionInfo }>;
  /** Registers a first key in a fresh pending session; returns the authenticator and the active session. */
  enrol(user: User): Promise<{ key: SoftAuthenticator; token: string; session: SessionInfo }>;
  authenticator(opts?: { aaguid?: string }): SoftAuthenticator;
  auditTypes(): string[];
  close(): Promise<void>;
}

export async function identityFixture(rpOverrides: Partial<RelyingParty> = {}, sessionOpts: { cacheTtlMs?: number; touchIntervalMs?: number } = {}): Promise<Fixture> {
  const store = await openStore({ location: ':memory:' });
  const audit = createMemoryAuditSink();
  const bus = createInProcessBus((err) => {
    throw err;
  });
  const events: RadgateEvent[] = [];
  bus.onAny((e) => void events.push(e));
  const clock = { t: T0 };
  const now = () => clock.t;
  const rp: RelyingParty = {
    rpId: RP_ID,
    rpName: 'radgate',
    origins: [ORIGIN],
    userVerificationRoles: ['admin'],
    aaguidAllowlist: [],
    enrolment: 'oidc-window',
    enrolmentWindowSeconds: 600,
    challengeTtlSeconds: 300,
    stepUpMaxAgeSeconds: 300,
    ...rpOverrides,
  };
  const sessions = createSessionManager({
    store,
    audit,
    bus,
    timeouts: { idleSeconds: 1800, absoluteSeconds: 12 * 3600, agentAbsoluteSeconds: 24 * 3600 },
    now,
    ...sessionOpts,
  });
  const webauthn = createWebauthn({ store, sessions, audit, rp, now });
  const authenticator = (opts: { aaguid?: string } = {}) => new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, ...opts });

  const f: Fixture = {
    store,
    audit,
    events,
    bus,
    clock,
    now,
    rp,
    sessions,
    webauthn,
    async user(id, opts = {}) {
      await store.users.upsertFromIdp({
        id,
        issuer: 'https://idp.example',
        subject: `sub-${id}`,
        kind: 'workforce',
        organization: opts.org ?? 'st-mary',
        department: opts.department === undefined ? 'radiology' : opts.department,
        displayName: id,
        email: `${id}@example.org`,
        roles: JSON.stringify(opts.roles ?? ['clinician']),
        createdAt: clock.t,
        updatedAt: clock.t,
      });
      if (opts.disabled) await store.users.setDisabled(id, true, clock.t);
      return userFromRow((await store.users.get(id))!);
    },
    signIn(user, state = 'pending-key') {
      return sessions.createSession({ user, kind: 'browser', idp: 'hospital', amr: ['oidc', 'pwd'], idpSid: null, oidcAt: clock.t, state });
    },
    async enrol(user) {
      const { token, session } = await f.signIn(user);
      const key = authenticator();
      const options = await webauthn.registrationOptions({ session, user });
      const r = await webauthn.verifyRegistration({ session, user, response: key.register(options) });
      return { key, token, session: r.session };
    },
    authenticator,
    auditTypes: () => audit.events.map((e) => `${e.type}:${e.outcome}`),
    async close() {
      sessions.close();
      await bus.drain();
      await store.close();
    },
  };
  return f;
}
