// Runs policy test tables through the real engine (no cache, in-memory audit): the same
// authorize() the gateways call, so a passing table means the deployed set behaves so.
import { createPolicyEngine, type PolicyEngine } from './createPolicyEngine.js';
import type { EntitySpec, PolicyTestCase } from './loadPolicyTests.js';
import { createMemoryAuditSink } from './memoryAuditSink.js';
import { parseEntityUid } from './parseEntityUid.js';
import type { DecisionContext, DecisionRequest, EntityDescription, EntityRef, PolicySet, RadgateAction } from './types.js';

export interface PolicyTestResult {
  case: PolicyTestCase;
  passed: boolean;
  decision: 'allow' | 'deny';
  reasons: readonly string[];
  policyIds: readonly string[];
  errors: readonly string[];
  /** Why it failed, in one line. */
  message?: string;
}

export interface PolicyTestSummary {
  results: PolicyTestResult[];
  passed: number;
  failed: number;
}

export async function runPolicyTests(set: PolicySet, cases: readonly PolicyTestCase[]): Promise<PolicyTestSummary> {
  const audit = createMemoryAuditSink();
  const engine = createPolicyEngine({ audit, cacheTtlSeconds: 0, cacheMaxEntries: 0 });
  try {
    engine.activate(set);
    const results: PolicyTestResult[] = [];
    for (const c of cases) results.push(await runCase(engine, set, c));
    const failed = results.filter((r) => !r.passed).length;
    return { results, passed: results.length - failed, failed };
  } finally {
    engine.close();
  }
}

async function runCase(engine: PolicyEngine, set: PolicySet, c: PolicyTestCase): Promise<PolicyTestResult> {
  let req: DecisionRequest;
  try {
    req = toDecisionRequest(c, set.namespace);
  } catch (err) {
    return { case: c, passed: false, decision: 'deny', reasons: [], policyIds: [], errors: [], message: (err as Error).message };
  }
  const d = engine.authorize(req.principal, req.action, req.resource, req.context, req.entities);
  await d.durable;
  const errors = d.errors.map((e) => (e.policyId ? `${e.policyId}: ${e.message}` : e.message));
  const base = { case: c, decision: d.decision, reasons: d.reasons, policyIds: d.policyIds, errors };
  const got = `${d.decision} [${d.reasons.join(', ')}]`;
  if (d.decision !== c.expect) return { ...base, passed: false, message: `expected ${c.expect}, got ${got}${errors.length ? `; errors: ${errors.join('; ')}` : ''}` };
  if (c.reasons && !sameSet(c.reasons, d.reasons)) return { ...base, passed: false, message: `expected reasons [${c.reasons.join(', ')}], got ${got}` };
  return { ...base, passed: true };
}

/** A test case (or CLI input) as an engine request; uids may omit the namespace. */
export function toDecisionRequest(c: Pick<PolicyTestCase, 'principal' | 'action' | 'resource' | 'context' | 'entities'>, namespace: string): DecisionRequest {
  return {
    principal: toEntity(c.principal, namespace),
    action: c.action as RadgateAction,
    resource: toEntity(c.resource, namespace),
    context: c.context as DecisionContext,
    entities: c.entities.map((e) => toEntity(e, namespace)),
  };
}

function toEntity(e: EntitySpec, namespace: string): EntityDescription {
  const out: EntityDescription = { uid: uidOf(e.uid, namespace) };
  if (e.attrs) out.attrs = e.attrs as EntityDescription['attrs'];
  if (e.parents) out.parents = e.parents.map((p) => uidOf(p, namespace));
  return out;
}

function uidOf(u: EntitySpec['uid'], namespace: string): EntityRef {
  const r = parseEntityUid(u, namespace);
  if (!r) throw new Error(`malformed uid ${JSON.stringify(u)}`);
  return r;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
