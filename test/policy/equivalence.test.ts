// The engine's fast path (own request checks, schema-free JSON, pruned context, per-action
// policy sets, decision cache) must answer exactly as Cedar does with the whole set and the
// schema. Checked on every shipped case and on randomised requests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryAuditSink,
  createPolicyEngine,
  loadPolicySet,
  loadPolicyTests,
  toDecisionRequest,
  type DecisionContext,
  type DecisionRequest,
  type EntityDescription,
  type PolicySet,
  type RadgateAction,
} from '../../src/policy/index.js';

const POLICY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies');
let set: PolicySet;
beforeAll(async () => {
  set = await loadPolicySet(POLICY_DIR);
  cedar.preparsePolicySet('equivalence:whole', { staticPolicies: Object.fromEntries([...set.policies.values()].map((p) => [p.id, p.text])) });
  cedar.preparseSchema('equivalence:schema', set.schemaText);
});

/** Cedar's own answer: whole set, schema-validated request. */
function reference(req: DecisionRequest): { decision: string; ids: string[] } | 'invalid' {
  const entities = [req.principal, req.resource, ...(req.entities ?? [])].map((e) => ({ uid: e.uid, attrs: e.attrs ?? {}, parents: e.parents ?? [] }));
  const a = cedar.statefulIsAuthorized({
    principal: req.principal.uid,
    action: { type: 'Radgate::Action', id: req.action },
    resource: req.resource.uid,
    context: JSON.parse(JSON.stringify(req.context)) as Record<string, never>,
    entities: JSON.parse(JSON.stringify(entities)) as never,
    preparsedPolicySetId: 'equivalence:whole',
    preparsedSchemaName: 'equivalence:schema',
    validateRequest: true,
  });
  if (a.type === 'failure' || a.response.diagnostics.errors.length > 0) return 'invalid';
  return { decision: a.response.decision, ids: [...a.response.diagnostics.reason].sort() };
}

describe('engine and Cedar agree', () => {
  it('on every shipped policy test case', async () => {
    const cases = await loadPolicyTests(path.join(POLICY_DIR, 'tests'));
    const engine = createPolicyEngine({ audit: createMemoryAuditSink(), cacheTtlSeconds: 0, cacheMaxEntries: 0 });
    engine.activate(set);
    for (const c of cases) {
      const req = toDecisionRequest(c, set.namespace);
      const ref = reference(req);
      const d = engine.authorize(req.principal, req.action, req.resource, req.context, req.entities);
      if (ref === 'invalid') expect(d.reasons, c.name).toContain('engine-error');
      else expect({ decision: d.decision, ids: [...d.policyIds] }, c.name).toEqual(ref);
    }
    engine.close();
  });

  it('on randomised requests, with the cache never answering differently from Cedar', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
    const users: EntityDescription[] = [
      { uid: { type: 'Radgate::User', id: 'alice' }, attrs: { kind: 'workforce', org: 'h', department: 'radiology' }, parents: [{ type: 'Radgate::Role', id: 'clinician' }] },
      { uid: { type: 'Radgate::User', id: 'tom' }, attrs: { kind: 'workforce', org: 'h', department: 'radiology' }, parents: [{ type: 'Radgate::Role', id: 'technologist' }] },
      { uid: { type: 'Radgate::User', id: 'vic' }, attrs: { kind: 'vendor', org: 'acme' }, parents: [] },
    ];
    const resources: EntityDescription[] = [
      { uid: { type: 'Radgate::Study', id: 's1' }, attrs: { target: { type: 'Radgate::Target', id: 'pacs' }, department: 'radiology' }, parents: [{ type: 'Radgate::Target', id: 'pacs' }] },
      { uid: { type: 'Radgate::Target', id: 'pacs' }, attrs: { kind: 'pacs-dicomweb', department: 'radiology' } },
      { uid: { type: 'Radgate::Target', id: 'ct' }, attrs: { kind: 'tcp', department: 'cardiology' } },
    ];
    const actions: RadgateAction[] = ['dicomweb.query', 'dicomweb.retrieve', 'dicomweb.store', 'dicom.move', 'web.access', 'breakglass.invoke'];
    const context = (): DecisionContext => {
      const c: DecisionContext = {};
      if (rnd(5) > 0) c.auth = { methods: ['oidc'], webauthn: rnd(4) > 0, ageSeconds: pick([0, 120, 299, 300, 301, 5000]) };
      if (rnd(6) > 0) c.device = { id: `d${rnd(50)}`, managed: rnd(3) > 0, tier: pick(['high', 'standard', 'low', 'untrusted', 'unmanaged'] as const), stale: rnd(4) === 0, postureAgeSeconds: rnd(1000) };
      if (rnd(3) === 0) c.grant = { active: rnd(4) > 0, id: `g${rnd(9)}`, target: pick([{ type: 'Radgate::Target', id: 'pacs' }, { type: 'Radgate::Target', id: 'ct' }]), secondsLeft: pick([0, 1, 600]) };
      if (rnd(3) === 0) c.risk = { score: pick([0, 79, 80, 100]) };
      if (rnd(3) === 0) c.request = { bulk: rnd(2) === 0 };
      if (rnd(4) === 0) c.breakGlass = rnd(2) === 0;
      if (rnd(3) === 0) c.network = { source: pick(['10.0.0.1', '192.168.1.9', '::1']) };
      return c;
    };
    const cachedEngine = createPolicyEngine({ audit: createMemoryAuditSink(), cacheTtlSeconds: 3600, cacheMaxEntries: 10_000 });
    cachedEngine.activate(set);
    let hits = 0;
    for (let i = 0; i < 3000; i++) {
      const req: DecisionRequest = { principal: pick(users), action: pick(actions), resource: pick(resources), context: context() };
      const ref = reference(req);
      const d = cachedEngine.authorize(req.principal, req.action, req.resource, req.context);
      if (d.cached) hits++;
      if (ref === 'invalid') expect(d.reasons).toContain('engine-error');
      else expect({ decision: d.decision, ids: [...d.policyIds] }, JSON.stringify(req)).toEqual(ref);
    }
    expect(hits).toBeGreaterThan(500); // the cache was exercised, not bypassed
    cachedEngine.close();
  });
});
