// A policy-versions service over a real SQLite store and engine, with a copy of the
// repository's policies, two policy admins, an auditor and a clinician request.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { createMemoryAuditSink, createPolicyEngine, createPolicyVersions, createFactsRecorder, type DecisionContext, type EntityDescription, type VersionActor } from '../../../src/policy/index.js';
import { createInProcessBus, type RadgateEvent } from '../../../src/events/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { REPO_ROOT, tmpHome } from '../../helpers/tmpHome.js';

export const FREEZE_CEDAR = `// Freeze a target during maintenance.
@id("freeze-pacs-frozen")
@reason("target-frozen")
forbid (
  principal,
  action in Radgate::Action::"dataplane",
  resource in Radgate::Target::"pacs-frozen"
);
`;

export const AUTH: DecisionContext = { auth: { methods: ['oidc', 'webauthn'], webauthn: true, ageSeconds: 10 } };

export function person(id: string, roles: string[], kind = 'workforce'): EntityDescription {
  return { uid: { type: 'Radgate::User', id }, attrs: { kind, org: 'st-mary' }, parents: roles.map((r) => ({ type: 'Radgate::Role', id: r })) };
}

export function actor(id: string, roles = ['policy-admin', 'admin'], stepUpFresh = true): VersionActor {
  return { userId: id, principal: person(id, roles), context: AUTH, stepUpFresh };
}

/** Alice (radiology clinician) querying a radiology study that lives in target pacs-frozen. */
export const clinicianQuery = {
  principal: { uid: { type: 'Radgate::User', id: 'alice' }, attrs: { kind: 'workforce', org: 'st-mary', department: 'radiology' }, parents: [{ type: 'Radgate::Role', id: 'clinician' }] } as EntityDescription,
  resource: {
    uid: { type: 'Radgate::Study', id: '1.2.3.4' },
    attrs: { target: { type: 'Radgate::Target', id: 'pacs-frozen' }, department: 'radiology' },
    parents: [{ type: 'Radgate::Target', id: 'pacs-frozen' }],
  } as EntityDescription,
  context: {
    auth: { methods: ['oidc', 'webauthn'], webauthn: true, ageSeconds: 120 },
    device: { id: 'dev-1', managed: true, tier: 'high', stale: false, postureAgeSeconds: 40 },
    network: { source: '10.20.0.15' },
    time: { hour: 10, weekday: 2 },
  } as DecisionContext,
};

export async function versionsFixture(opts: { emergencyRollback?: boolean; now?: () => number } = {}) {
  const home = tmpHome('radgate-versions-');
  const policyDir = path.join(home, 'policies');
  cpSync(path.join(REPO_ROOT, 'policies'), policyDir, { recursive: true });
  const store: Store = await openStore({ location: path.join(home, 'radgate.db') });
  const audit = createMemoryAuditSink();
  const bus = createInProcessBus((err) => {
    throw err;
  });
  const events: RadgateEvent[] = [];
  bus.onAny((e) => void events.push(e));
  const sent: { type: string; [k: string]: unknown }[] = [];
  const engine = createPolicyEngine({ audit, cacheTtlSeconds: 60, cacheMaxEntries: 1000, bus });
  const make = () =>
    createPolicyVersions({
      store,
      engine,
      audit,
      bus,
      notifier: { send: async (e) => (sent.push(e), true) },
      policyDir,
      emergencyRollback: opts.emergencyRollback ?? false,
      impactWindowDays: 7,
      ...(opts.now ? { clock: opts.now } : {}),
    });
  const versions = make();
  return {
    home,
    policyDir,
    store,
    audit,
    bus,
    events,
    sent,
    engine,
    versions,
    make,
    createFactsRecorder,
    /** The active files plus `extra`. */
    async filesWith(extra: Record<string, string>): Promise<Record<string, string>> {
      const a = await versions.active();
      return { ...a!.files, ...extra };
    },
    async close() {
      engine.close();
      await store.close();
    },
  };
}

export { createMemoryAuditSink };
