// The one decision path: authorize(principal, action, resource, context) over the active
// Cedar policy set, with a generation-guarded decision cache and one audit event per call.
// Anything but an explicit, error-free allow is a deny.
import type { AuditReceipt } from '../audit/types.js';
import { wrapError } from '../errors/index.js';
import type { EventBus } from '../events/index.js';
import { preparsePolicySet, statefulIsAuthorized, type AuthorizationAnswer, type EntityJson } from './cedar.js';
import { compileContextView, type ContextView } from './compileContextView.js';
import { compileRequestModel, encodeEntity, type ActionModel, type RequestModel } from './compileRequestModel.js';
import { policiesForAction } from './partitionByAction.js';
import { DecisionCache } from './DecisionCache.js';
import { appendDeferred, type AuditSink } from './decisionAuditEvent.js';
import { InputTokens } from './freezeInput.js';
import type { Decision, DecisionContext, DecisionError, EntityDescription, PolicySet, RadgateAction } from './types.js';

export interface PolicyEngineOptions {
  /** Receives exactly one `decision` event per authorize call. */
  audit: AuditSink;
  /** Decision cache lifetime (config policy.cacheTtl); 0 disables the cache. */
  cacheTtlSeconds: number;
  /** Decision cache bound (config policy.cacheMaxEntries); 0 disables the cache. */
  cacheMaxEntries: number;
  /** Milliseconds; defaults to Date.now. */
  clock?: () => number;
  /** Every answer-changing event on the bus bumps the generation (empties the cache). */
  bus?: EventBus;
  /**
   * Audit coalescing window, ms (config policy.auditCoalesce); 0 (default) audits every
   * call. Inside the window, a cached decision identical to one already audited (same
   * action, entity data, observable context, outcome and generation) reuses that record
   * and is counted in one `decision.coalesced` event when the window closes.
   */
  auditCoalesceMs?: number;
  /** Told of every decision (metrics): action, outcome, cache hit, time inside authorize in ns. Absent: no cost. */
  observer?: (action: string, decision: 'allow' | 'deny', cached: boolean, elapsedNs: number) => void;
}

export interface PolicyEngineHealth {
  ready: boolean;
  version: string | null;
  policies: number;
  generation: number;
  cacheEntries: number;
  /** Policies in each action's own preparsed set (what one uncached call evaluates). */
  actionSets: Record<string, number>;
}

export interface PolicyEngine {
  /** Makes `set` the active set atomically; on failure throws `policy-invalid` and the previous set stays active. */
  activate(set: PolicySet): void;
  /**
   * Decides synchronously and returns at once; `durable` settles when the audit event is
   * committed. The inputs are deep-frozen: they are cache keys and audit evidence (the
   * context digest is computed after return). Reuse a session's entity descriptions
   * across calls: their JSON is computed once per object.
   */
  authorize(
    principal: EntityDescription,
    action: RadgateAction,
    resource: EntityDescription,
    context: DecisionContext,
    entities?: readonly EntityDescription[],
  ): Decision;
  /** Forgets every cached decision (policy swap, entity change, revocation, …). */
  bumpGeneration(): void;
  readonly generation: number;
  readonly active: PolicySet | undefined;
  ready(): boolean;
  health(): PolicyEngineHealth;
  /** Stops listening to the bus and releases the engine's Cedar slots; later calls deny. */
  close(): void;
}

interface ActiveState {
  set: PolicySet;
  model: RequestModel;
  plans: ReadonlyMap<string, ActionPlan>;
}

/** Per action: its own preparsed Cedar set and what those policies can observe. */
interface ActionPlan {
  action: ActionModel;
  /** Id of the preparsed Cedar policy set holding only the policies whose scope admits the action. */
  pset: string;
  policies: number;
  view: ContextView;
}

interface Outcome {
  decision: 'allow' | 'deny';
  policyIds: readonly string[];
  reasons: readonly string[];
  errors: readonly DecisionError[];
}

const NO_ERRORS: readonly DecisionError[] = Object.freeze([]);
const UNKNOWN = Object.freeze({ type: 'unknown', id: '' });
/** cedar-wasm keeps preparsed sets until overwritten (there is no delete): ids are per engine and activation, and freed on swap. */
let engineCount = 0;

export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  const clock = options.clock ?? Date.now;
  const cache = new DecisionCache<Outcome>(Math.max(0, Math.floor(options.cacheMaxEntries)), Math.max(0, options.cacheTtlSeconds * 1000));
  const tokens = new InputTokens(Math.max(1024, cache.maxEntries));
  const engineNo = ++engineCount;
  let activations = 0;
  let state: ActiveState | undefined;
  let generation = 0;

  // Audit coalescing: one open window per decision key.
  interface CoalesceWindow {
    durable: Promise<AuditReceipt>;
    until: number;
    count: number;
    generation: number;
    decision: 'allow' | 'deny';
    actor: EntityDescription['uid'];
    action: string;
    resource: EntityDescription['uid'];
    policyVersion: string | null;
  }
  const coalesceMs = Math.max(0, options.auditCoalesceMs ?? 0);
  const windows = new Map<string, CoalesceWindow>();
  const maxWindows = Math.max(1024, cache.maxEntries);
  const closeWindow = (key: string, w: CoalesceWindow) => {
    windows.delete(key);
    if (w.count === 0) return;
    const count = w.count;
    w.durable.then(
      (first) =>
        options.audit.append({
          type: 'decision.coalesced',
          actor: `${w.actor.type}::${JSON.stringify(w.actor.id)}`,
          outcome: w.decision,
          detail: { action: w.action, resource: `${w.resource.type}::${JSON.stringify(w.resource.id)}`, repeats: count, firstSeq: first.seq, windowMs: coalesceMs, policyVersion: w.policyVersion },
        }),
      () => undefined,
    ).catch(() => undefined);
  };
  const flushWindows = (all: boolean) => {
    const now = clock();
    for (const [key, w] of windows) if (all || now >= w.until || w.generation !== generation) closeWindow(key, w);
  };
  const sweeper = coalesceMs > 0 ? setInterval(() => flushWindows(false), Math.max(100, coalesceMs)) : undefined;
  sweeper?.unref();

  const bumpGeneration = () => {
    generation++;
    cache.clear();
    if (windows.size > 0) flushWindows(true);
  };
  const unsubscribe = options.bus?.onAny(() => bumpGeneration());

  const activate = (set: PolicySet) => {
    const prefix = `radgate:${engineNo}:${++activations}:`;
    const plans = new Map<string, ActionPlan>();
    let model: RequestModel;
    try {
      model = compileRequestModel(set.schemaJson, set.namespace);
      for (const action of model.actions.values()) {
        const policies = policiesForAction(set.policies.values(), action);
        const pset = prefix + action.name;
        const answer = preparsePolicySet(pset, { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])) });
        if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
        plans.set(action.name, { action, pset, policies: policies.length, view: compileContextView(policies.map((p) => p.json)) });
      }
    } catch (err) {
      for (const plan of plans.values()) preparsePolicySet(plan.pset, { staticPolicies: {} });
      throw wrapError('policy-invalid', `policy set ${set?.version ?? '?'} cannot be activated`, err);
    }
    // The swap: one assignment; authorize is synchronous, so no call sees half a set.
    const previous = state;
    state = { set, model, plans };
    bumpGeneration();
    if (previous) release(previous);
  };

  const authorize: PolicyEngine['authorize'] = (principal, action, resource, context, entities) => {
    const st = state;
    let outcome: Outcome;
    let cached = false;
    let coalesceKey: string | undefined;
    try {
      const plan = st?.plans.get(action);
      // The check also deep-freezes a conforming context (cache key and audit evidence).
      const invalid = !st ? 'no active policy set' : !plan ? `unknown action "${action}"` : plan.action.context.check(context);
      if (invalid !== undefined || !st || !plan) {
        outcome = engineError([{ message: invalid ?? 'no active policy set' }]);
      } else if (!cache.enabled) {
        outcome = evaluate(st, plan, principal, resource, context, entities).outcome;
      } else {
        // Key: action, the entity data exactly (as tokens of their JSON), and the context as
        // the action's policies can see it.
        const key = `${action}\0${tokens.of(principal)}\0${tokens.of(resource)}\0${entities ? tokens.of(entities) : ''}\0${plan.view.key(context)}`;
        if (coalesceMs > 0) coalesceKey = key;
        const now = clock();
        const hit = cache.get(key, now);
        if (hit) {
          outcome = hit;
          cached = true;
        } else {
          const r = evaluate(st, plan, principal, resource, context, entities);
          outcome = r.outcome;
          if (r.cacheable) cache.set(key, outcome, now);
        }
      }
    } catch (err) {
      outcome = engineError([{ message: `engine: ${(err as Error)?.message ?? String(err)}` }]);
    }
    if (coalesceKey !== undefined) {
      const w = windows.get(coalesceKey);
      if (w && cached && w.generation === generation && w.decision === outcome.decision && clock() < w.until) {
        w.count++;
        return { decision: outcome.decision, policyIds: outcome.policyIds, reasons: outcome.reasons, errors: outcome.errors, cached, coalesced: true, durable: w.durable };
      }
    }
    const durable: Promise<AuditReceipt> = appendDeferred(options.audit, {
      principal: principal?.uid ?? UNKNOWN,
      action,
      resource: resource?.uid ?? UNKNOWN,
      context,
      decision: outcome.decision,
      policyIds: outcome.policyIds,
      reasons: outcome.reasons,
      errors: outcome.errors,
      cached,
      policyVersion: st?.set.version ?? null,
      facts: { principal, resource, ...(entities ? { entities } : {}), context },
    });
    if (coalesceKey !== undefined && outcome.errors.length === 0) {
      const old = windows.get(coalesceKey);
      if (old) closeWindow(coalesceKey, old);
      else if (windows.size >= maxWindows) {
        const [k, w] = windows.entries().next().value!;
        closeWindow(k, w);
      }
      windows.set(coalesceKey, { durable, until: clock() + coalesceMs, count: 0, generation, decision: outcome.decision, actor: principal.uid, action, resource: resource.uid, policyVersion: st?.set.version ?? null });
    }
    return { decision: outcome.decision, policyIds: outcome.policyIds, reasons: outcome.reasons, errors: outcome.errors, cached, durable };
  };

  return {
    activate,
    authorize: options.observer ? observed(authorize, options.observer) : authorize,
    bumpGeneration,
    get generation() {
      return generation;
    },
    get active() {
      return state?.set;
    },
    ready: () => state !== undefined,
    health: () => ({
      ready: state !== undefined,
      version: state?.set.version ?? null,
      policies: state?.set.policies.size ?? 0,
      generation,
      cacheEntries: cache.size,
      actionSets: Object.fromEntries([...(state?.plans.values() ?? [])].map((p) => [p.action.name, p.policies])),
    }),
    close: () => {
      if (sweeper) clearInterval(sweeper);
      flushWindows(true);
      unsubscribe?.();
      if (state) release(state);
      state = undefined;
      bumpGeneration();
    },
  };
}

/** authorize timed for an observer; an observer that throws never changes a decision. */
function observed(authorize: PolicyEngine['authorize'], observer: NonNullable<PolicyEngineOptions['observer']>): PolicyEngine['authorize'] {
  return (principal, action, resource, context, entities) => {
    const started = process.hrtime.bigint();
    const d = authorize(principal, action, resource, context, entities);
    try {
      observer(action, d.decision, d.cached, Number(process.hrtime.bigint() - started));
    } catch {
      // Metrics must not break the decision path.
    }
    return d;
  };
}

/** Overwrites a retired set's preparsed copies with empty sets (cedar-wasm has no delete). */
function release(st: ActiveState): void {
  for (const plan of st.plans.values()) preparsePolicySet(plan.pset, { staticPolicies: {} });
}

function evaluate(
  st: ActiveState,
  plan: ActionPlan,
  principal: EntityDescription,
  resource: EntityDescription,
  context: DecisionContext,
  extra: readonly EntityDescription[] | undefined,
): { outcome: Outcome; cacheable: boolean } {
  const { action, view } = plan;
  const { model } = st;
  if (!action.principalTypes.has(principal?.uid?.type)) return refuse(`principal: ${action.name} does not apply to ${principal?.uid?.type}`);
  if (!action.resourceTypes.has(resource?.uid?.type)) return refuse(`resource: ${action.name} does not apply to ${resource?.uid?.type}`);
  let entities: EntityJson[];
  try {
    entities = [encodeEntity(model, principal, 'principal', view.entityAttrs), encodeEntity(model, resource, 'resource', view.entityAttrs)];
    if (extra) for (const e of extra) entities.push(encodeEntity(model, e, 'entity', view.entityAttrs));
  } catch (err) {
    return refuse((err as Error).message);
  }
  entities.push(action.entity);
  const answer: AuthorizationAnswer = statefulIsAuthorized({
    principal: principal.uid,
    action: action.uid,
    resource: resource.uid,
    context: action.context.convert(view.prune(context)) as Record<string, never>,
    entities,
    preparsedPolicySetId: plan.pset,
  });
  if (answer.type === 'failure') return { outcome: engineError(answer.errors.map((e) => ({ message: e.message }))), cacheable: false };
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map((e) => ({ policyId: e.policyId, message: e.error.message }));
  const ids = [...diagnostics.reason].sort();
  if (errors.length > 0) {
    // Cedar skips a policy that errs, which could switch a forbid off: fail closed.
    const forbids = decision === 'deny' ? ids : [];
    return { outcome: freeze({ decision: 'deny', policyIds: forbids, reasons: [...forbidReasons(st, forbids), 'engine-error'], errors }), cacheable: false };
  }
  if (decision === 'allow') return { outcome: freeze({ decision: 'allow', policyIds: ids, reasons: ids, errors: NO_ERRORS }), cacheable: true };
  const reasons = forbidReasons(st, ids);
  return { outcome: freeze({ decision: 'deny', policyIds: ids, reasons: reasons.length > 0 ? reasons : ['no-permit'], errors: NO_ERRORS }), cacheable: true };
}

function refuse(message: string): { outcome: Outcome; cacheable: boolean } {
  return { outcome: engineError([{ message }]), cacheable: false };
}

function forbidReasons(st: ActiveState, ids: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const r = st.set.policies.get(id)?.reason ?? id;
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

function engineError(errors: DecisionError[]): Outcome {
  return freeze({ decision: 'deny', policyIds: [], reasons: ['engine-error'], errors });
}

function freeze(o: Outcome): Outcome {
  Object.freeze(o.policyIds);
  Object.freeze(o.reasons);
  Object.freeze(o.errors);
  return Object.freeze(o);
}
