// Explains one decision: the answer, its reasons and the policies that determined it,
// with their source location and text. Runs the engine's own authorize().
import type { PolicyEngine } from './createPolicyEngine.js';
import type { DecisionRequest, LoadedPolicy } from './types.js';

export interface Explanation {
  decision: 'allow' | 'deny';
  reasons: readonly string[];
  policies: readonly LoadedPolicy[];
  errors: readonly string[];
  policyVersion: string | null;
}

export async function explain(engine: PolicyEngine, req: DecisionRequest): Promise<Explanation> {
  const set = engine.active;
  const d = engine.authorize(req.principal, req.action, req.resource, req.context, req.entities);
  await d.durable;
  const ids = new Set([...d.policyIds, ...d.errors.flatMap((e) => (e.policyId ? [e.policyId] : []))]);
  return {
    decision: d.decision,
    reasons: d.reasons,
    policies: [...ids].flatMap((id) => {
      const p = set?.policies.get(id);
      return p ? [p] : [];
    }),
    errors: d.errors.map((e) => (e.policyId ? `${e.policyId}: ${e.message}` : e.message)),
    policyVersion: set?.version ?? null,
  };
}
