// Impact preview: replays the stored decisions of a time window under a proposed policy
// set and reports what would flip (per action; top principals and resources newly
// allowed or denied; a few examples). Streams the audit table page by page, so memory
// is bounded by the page size, the decision cache and the capped counters.
import { createPolicyEngine } from '../createPolicyEngine.js';
import { NO_AUDIT, uidString } from '../decisionAuditEvent.js';
import type { DecisionContext, EntityDescription, PolicySet, RadgateAction } from '../types.js';
import type { AuditSearchRepo, DecisionFactsRepo } from '../../store/index.js';

export interface ImpactOptions {
  /** Replay decisions at or after this time (ISO 8601 UTC). */
  since: Date;
  /** Top entries per list (default 10). */
  top?: number;
  /** Examples of flips kept (default 20). */
  examples?: number;
  pageSize?: number;
  /** Distinct principals/resources counted exactly; beyond this they count as "(other)". */
  maxKeys?: number;
  /** Called after each page (progress for CLIs and benches). */
  onPage?: (replayed: number) => void;
}

export interface ActionImpact {
  action: string;
  decisions: number;
  newlyAllowed: number;
  newlyDenied: number;
  /** Decisions without stored facts (recorded before facts were kept, or dropped). */
  notReplayable: number;
}

export interface FlipExample {
  seq: number;
  time: string;
  principal: string;
  action: string;
  resource: string;
  was: 'allow' | 'deny';
  now: 'allow' | 'deny';
  reasons: readonly string[];
}

export interface ImpactReport {
  version: string;
  since: string;
  fromSeq: number;
  toSeq: number;
  decisions: number;
  replayed: number;
  newlyAllowed: number;
  newlyDenied: number;
  notReplayable: number;
  byAction: ActionImpact[];
  top: {
    principalsNewlyAllowed: [string, number][];
    principalsNewlyDenied: [string, number][];
    resourcesNewlyAllowed: [string, number][];
    resourcesNewlyDenied: [string, number][];
  };
  examples: FlipExample[];
  /** Some counters hit maxKeys: the top lists may miss entries counted as "(other)". */
  approximate: boolean;
  elapsedMs: number;
}

interface StoredFacts {
  a?: string;
  p: EntityDescription;
  r: EntityDescription;
  e?: EntityDescription[];
  c: DecisionContext;
}

export async function impactPreview(
  store: { decisionFacts: Pick<DecisionFactsRepo, 'decisionsPage'>; auditSearch: Pick<AuditSearchRepo, 'seqAtOrAfter' | 'headSeq'> },
  set: PolicySet,
  o: ImpactOptions,
): Promise<ImpactReport> {
  const t0 = performance.now();
  const top = o.top ?? 10;
  const maxExamples = o.examples ?? 20;
  const pageSize = o.pageSize ?? 2000;
  const maxKeys = o.maxKeys ?? 20_000;
  const since = o.since.toISOString();
  const fromSeq = await store.auditSearch.seqAtOrAfter(since);
  const toSeq = await store.auditSearch.headSeq();

  // The engine's own authorize (the same validation and fail-closed rules), with a cache
  // that never expires during the replay and an audit sink that records nothing.
  const engine = createPolicyEngine({ audit: NO_AUDIT, cacheTtlSeconds: 1e9, cacheMaxEntries: 50_000, clock: () => 0 });
  engine.activate(set);
  const byAction = new Map<string, ActionImpact>();
  const counters = {
    principalsNewlyAllowed: new CappedCounter(maxKeys),
    principalsNewlyDenied: new CappedCounter(maxKeys),
    resourcesNewlyAllowed: new CappedCounter(maxKeys),
    resourcesNewlyDenied: new CappedCounter(maxKeys),
  };
  const examples: FlipExample[] = [];
  let decisions = 0;
  let replayed = 0;
  let newlyAllowed = 0;
  let newlyDenied = 0;
  let notReplayable = 0;
  const impactOf = (action: string) => {
    let a = byAction.get(action);
    if (!a) byAction.set(action, (a = { action, decisions: 0, newlyAllowed: 0, newlyDenied: 0, notReplayable: 0 }));
    return a;
  };
  try {
    let after = fromSeq - 1;
    for (;;) {
      const rows = await store.decisionFacts.decisionsPage(after, toSeq, pageSize);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.seq;
      for (const row of rows) {
        decisions++;
        let facts: StoredFacts | undefined;
        try {
          facts = row.facts === null ? undefined : (JSON.parse(row.facts) as StoredFacts);
        } catch {
          facts = undefined;
        }
        const action = facts?.a ?? actionOf(row.detail);
        const impact = impactOf(action);
        impact.decisions++;
        if (!facts || !facts.p || !facts.r || (row.outcome !== 'allow' && row.outcome !== 'deny')) {
          impact.notReplayable++;
          notReplayable++;
          continue;
        }
        replayed++;
        const d = engine.authorize(facts.p, action as RadgateAction, facts.r, facts.c ?? {}, facts.e);
        if (d.decision === row.outcome) continue;
        const principal = facts.p.uid ? uidString(facts.p.uid) : row.actor;
        const resource = facts.r.uid ? uidString(facts.r.uid) : '?';
        if (d.decision === 'allow') {
          newlyAllowed++;
          impact.newlyAllowed++;
          counters.principalsNewlyAllowed.add(principal);
          counters.resourcesNewlyAllowed.add(resource);
        } else {
          newlyDenied++;
          impact.newlyDenied++;
          counters.principalsNewlyDenied.add(principal);
          counters.resourcesNewlyDenied.add(resource);
        }
        if (examples.length < maxExamples) {
          examples.push({ seq: row.seq, time: row.time, principal, action, resource, was: row.outcome, now: d.decision, reasons: d.reasons });
        }
      }
      o.onPage?.(decisions);
      // Let other work (HTTP requests, the audit writer) run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    engine.close();
  }
  return {
    version: set.version,
    since,
    fromSeq,
    toSeq,
    decisions,
    replayed,
    newlyAllowed,
    newlyDenied,
    notReplayable,
    byAction: [...byAction.values()].sort((a, b) => b.newlyAllowed + b.newlyDenied - (a.newlyAllowed + a.newlyDenied) || (a.action < b.action ? -1 : 1)),
    top: {
      principalsNewlyAllowed: counters.principalsNewlyAllowed.top(top),
      principalsNewlyDenied: counters.principalsNewlyDenied.top(top),
      resourcesNewlyAllowed: counters.resourcesNewlyAllowed.top(top),
      resourcesNewlyDenied: counters.resourcesNewlyDenied.top(top),
    },
    examples,
    approximate: Object.values(counters).some((c) => c.overflowed),
    elapsedMs: Math.round(performance.now() - t0),
  };
}

function actionOf(detail: string): string {
  try {
    const a = (JSON.parse(detail) as { action?: unknown }).action;
    return typeof a === 'string' ? a : '?';
  } catch {
    return '?';
  }
}

/** Exact counts for the first `max` keys; later keys count under "(other)". */
class CappedCounter {
  private readonly counts = new Map<string, number>();
  overflowed = false;

  constructor(private readonly max: number) {}

  add(key: string): void {
    const n = this.counts.get(key);
    if (n !== undefined) this.counts.set(key, n + 1);
    else if (this.counts.size < this.max) this.counts.set(key, 1);
    else {
      this.overflowed = true;
      this.counts.set('(other)', (this.counts.get('(other)') ?? 0) + 1);
    }
  }

  top(n: number): [string, number][] {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  }
}
