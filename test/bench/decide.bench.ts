// `npm run bench -- decide`: latency of authorize() for a cached and an uncached decision
// with the shipped policies padded to 100, against direct cedar-wasm calls side by side.
// The audit sink is a no-op here (the audit write has its own bench); the decision event
// (with its SHA-256 context digest) is still built, after authorize returns, and its cost
// is reported separately.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import {
  ACTIONS,
  createPolicyEngine,
  loadPolicySet,
  parsePolicySet,
  type DecisionContext,
  type EntityDescription,
  type PolicyEngine,
  type PolicySet,
} from '../../src/policy/index.js';
import { flushJson, line, percentile, record, round } from './report.js';

const BENCH = 'decide';
const POLICY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies');
const TOTAL_POLICIES = 100;
const NOOP_SINK = { append: () => Promise.resolve({ seq: 0, hash: '' }) };

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const shipped = await loadPolicySet(POLICY_DIR);
  const spread = pad(shipped, 'spread');
  const worst = pad(shipped, 'worst');
  const n = shipped.policies.size;
  line(`decide: ${n} shipped policies padded with ${TOTAL_POLICIES - n} harmless ones to ${spread.policies.size}`);
  line('  spread: padding cycles through the 19 request actions (as real sets do); worst: all padding on dicomweb.query');
  line('  audit sink: no-op for the decision timing (the audit write is measured by the audit bench)');
  line(`  cedar-wasm ${cedar.getCedarVersion()}, node ${process.version}`);

  const principal: EntityDescription = {
    uid: { type: 'Radgate::User', id: 'alice' },
    attrs: { kind: 'workforce', org: 'st-mary', department: 'radiology' },
    parents: [{ type: 'Radgate::Role', id: 'clinician' }],
  };
  const resource: EntityDescription = {
    uid: { type: 'Radgate::Study', id: '1.2.840.113619.2.55.3' },
    attrs: { target: { type: 'Radgate::Target', id: 'pacs-rad' }, department: 'radiology' },
    parents: [{ type: 'Radgate::Target', id: 'pacs-rad' }],
  };
  // Each request builds its own context just before asking (outside the timing); ages
  // tick, which the cache key must tolerate.
  const contextAt = (i: number): DecisionContext => ({
    auth: { methods: ['oidc', 'webauthn'], webauthn: true, ageSeconds: 60 + (i % 200) },
    device: { id: 'dev-1', managed: true, tier: 'high', stale: false, postureAgeSeconds: 5 + (i % 250) },
    network: { source: '10.20.0.15' },
    time: { hour: 10, weekday: 2 },
  });

  const cachedN = quick ? 20_000 : 200_000;
  const uncachedN = quick ? 300 : 3_000;

  // Cached: one miss fills the entry, then every call is a hit.
  const cachedEngine = createPolicyEngine({ audit: NOOP_SINK, cacheTtlSeconds: 3600, cacheMaxEntries: 100_000 });
  cachedEngine.activate(spread);
  const cached = await timeAuthorize(cachedEngine, principal, resource, contextAt, cachedN, true);

  // Total CPU per cached call including the deferred audit event build (digest).
  const withAudit = await throughput(cachedEngine, principal, resource, contextAt, quick ? 10_000 : 50_000);

  const uncachedEngine = createPolicyEngine({ audit: NOOP_SINK, cacheTtlSeconds: 0, cacheMaxEntries: 0 });
  uncachedEngine.activate(spread);
  const uncached = await timeAuthorize(uncachedEngine, principal, resource, contextAt, uncachedN, false);
  const worstEngine = createPolicyEngine({ audit: NOOP_SINK, cacheTtlSeconds: 0, cacheMaxEntries: 0 });
  worstEngine.activate(worst);
  const uncachedWorst = await timeAuthorize(worstEngine, principal, resource, contextAt, uncachedN, false);

  // Baselines: cedar-wasm called directly with the same request (schema-based JSON).
  const ctx0 = contextAt(0);
  const entities = [principal, resource].map((e) => ({ uid: e.uid, attrs: e.attrs ?? {}, parents: e.parents ?? [] }));
  const call = {
    principal: principal.uid,
    action: { type: 'Radgate::Action', id: 'dicomweb.query' },
    resource: resource.uid,
    context: ctx0 as Record<string, never>,
    entities: entities as never,
  };
  const text = [...spread.policies.values()].map((p) => p.text).join('\n');
  const isAuth = timeSync(quick ? 100 : 1_000, () => cedar.isAuthorized({ ...call, policies: { staticPolicies: text }, schema: spread.schemaText, validateRequest: true }));
  cedar.preparsePolicySet('bench:whole', { staticPolicies: Object.fromEntries([...spread.policies.values()].map((p) => [p.id, p.text])) });
  cedar.preparseSchema('bench:schema', spread.schemaText);
  const stateful = timeSync(quick ? 300 : 3_000, () =>
    cedar.statefulIsAuthorized({ ...call, preparsedPolicySetId: 'bench:whole', preparsedSchemaName: 'bench:schema', validateRequest: true }),
  );
  // Entity and context parsing per call (cedar-wasm 4.13 has no entity preparse API):
  // an empty preparsed set isolates it from policy evaluation.
  cedar.preparsePolicySet('bench:empty', { staticPolicies: {} });
  const bare = timeSync(quick ? 300 : 3_000, () => cedar.statefulIsAuthorized({ ...call, context: {}, entities: [], preparsedPolicySetId: 'bench:empty' }));
  const full = timeSync(quick ? 300 : 3_000, () => cedar.statefulIsAuthorized({ ...call, preparsedPolicySetId: 'bench:empty', preparsedSchemaName: 'bench:schema' }));
  const pruned = {
    ...call,
    context: { device: { stale: false, tier: 'high' } },
    entities: [
      { uid: principal.uid, attrs: { kind: 'workforce', department: 'radiology' }, parents: principal.parents },
      { uid: resource.uid, attrs: { target: { __entity: { type: 'Radgate::Target', id: 'pacs-rad' } }, department: 'radiology' }, parents: resource.parents },
      { uid: call.action, attrs: {}, parents: ['dataplane', 'device-bound', 'imaging.read'].map((id) => ({ type: 'Radgate::Action', id })) },
    ] as never,
  };
  const lean = timeSync(quick ? 300 : 3_000, () => cedar.statefulIsAuthorized({ ...pruned, preparsedPolicySetId: 'bench:empty' }));

  const check = cedar.isAuthorized({ ...call, policies: { staticPolicies: text }, schema: spread.schemaText, validateRequest: true });
  const agree = check.type === 'success' && check.response.decision === cachedEngine.authorize(principal, 'dicomweb.query', resource, ctx0).decision;

  const partition = uncachedEngine.health().actionSets['dicomweb.query'] ?? NaN;
  const partitionWorst = worstEngine.health().actionSets['dicomweb.query'] ?? NaN;
  line(`  dicomweb.query's own preparsed set: ${partition} of ${spread.policies.size} policies (worst case: ${partitionWorst}); baseline answers agree: ${agree}`);
  const base = { baseline: 'cedar isAuthorized (text+schema per call)' };
  record({ bench: BENCH, metric: 'cached_p50', unit: 'us', value: cached.p50, ...base, baseline_value: isAuth.p50, target: '<= 5 (p99)' });
  record({ bench: BENCH, metric: 'cached_p99', unit: 'us', value: cached.p99, ...base, baseline_value: isAuth.p99, target: '<= 5', pass: cached.p99 <= 5 });
  record({ bench: BENCH, metric: 'cached_with_audit_event_cpu', unit: 'us', value: withAudit, note: 'per call incl. the deferred decision event and context digest' });
  record({ bench: BENCH, metric: 'uncached_p50', unit: 'us', value: uncached.p50, ...base, baseline_value: isAuth.p50, target: '<= 300', pass: uncached.p50 <= 300, policies_evaluated: partition });
  record({ bench: BENCH, metric: 'uncached_p99', unit: 'us', value: uncached.p99, ...base, baseline_value: isAuth.p99 });
  record({ bench: BENCH, metric: 'uncached_worst_p50', unit: 'us', value: uncachedWorst.p50, ...base, baseline_value: isAuth.p50, policies_evaluated: partitionWorst });
  record({ bench: BENCH, metric: 'uncached_worst_p99', unit: 'us', value: uncachedWorst.p99, ...base, baseline_value: isAuth.p99 });
  record({ bench: BENCH, metric: 'stateful_direct_p50', unit: 'us', value: stateful.p50, ...base, baseline_value: isAuth.p50, note: 'statefulIsAuthorized, whole set + preparsed schema' });
  record({ bench: BENCH, metric: 'cedar_request_full_p50', unit: 'us', value: full.p50, baseline: 'bare call', baseline_value: bare.p50, note: 'empty set; full entities+context, schema-based parse' });
  record({ bench: BENCH, metric: 'cedar_request_pruned_p50', unit: 'us', value: lean.p50, baseline: 'bare call', baseline_value: bare.p50, note: 'empty set; what the engine sends (pruned, schema-free)' });
  for (const e of [cachedEngine, uncachedEngine, worstEngine]) e.close();
  flushJson();
}

/** Per-call latency of authorize(); deferred audit work runs between batches, outside the timing. */
async function timeAuthorize(engine: PolicyEngine, p: EntityDescription, r: EntityDescription, contextAt: (i: number) => DecisionContext, n: number, expectCached: boolean) {
  for (let i = 0; i < Math.min(n, 2_000); i++) engine.authorize(p, 'dicomweb.query', r, contextAt(i));
  await settle();
  const samples = new Float64Array(n);
  const batch = 1_000;
  for (let i = 0; i < n; i++) {
    const ctx = contextAt(i);
    const t0 = process.hrtime.bigint();
    const d = engine.authorize(p, 'dicomweb.query', r, ctx);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (d.decision !== 'allow' || d.cached !== expectCached) throw new Error(`unexpected decision ${JSON.stringify(d)}`);
    if (i % batch === batch - 1) await settle();
  }
  await settle();
  samples.sort();
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}

/** CPU microseconds per cached call, including the deferred decision-event build. */
async function throughput(engine: PolicyEngine, p: EntityDescription, r: EntityDescription, contextAt: (i: number) => DecisionContext, n: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    engine.authorize(p, 'dicomweb.query', r, contextAt(i));
    if (i % 1_000 === 999) await settle();
  }
  await settle();
  const u = process.cpuUsage(t0);
  return round((u.user + u.system) / n, 2);
}

function timeSync(n: number, fn: () => unknown) {
  for (let i = 0; i < Math.min(n, 100); i++) fn();
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Harmless padding: per-department reader policies for roles nobody holds. `spread` cycles
 * them through the request actions; `worst` puts them all on dicomweb.query.
 */
function pad(set: PolicySet, mode: 'spread' | 'worst'): PolicySet {
  const extra = TOTAL_POLICIES - set.policies.size;
  const text = Array.from({ length: Math.max(0, extra) }, (_, i) => {
    const action = mode === 'worst' ? 'dicomweb.query' : ACTIONS[i % ACTIONS.length]!;
    return `@id("pad-${i}")\npermit (\n  principal in Radgate::Role::"pad-role-${i}",\n  action == Radgate::Action::"${action}",\n  resource\n)\nwhen { principal.kind == "workforce" && context has device && !context.device.stale };\n`;
  }).join('\n');
  const files = [...new Set([...set.policies.values()].map((p) => p.file))];
  return parsePolicySet({
    source: `${set.source} + padding`,
    schema: { file: set.schemaFile, text: set.schemaText },
    policies: [...files.map((file) => ({ file, text: [...set.policies.values()].filter((p) => p.file === file).map((p) => p.text).join('\n\n') })), { file: 'padding.cedar', text }],
  });
}
