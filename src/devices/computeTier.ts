// The pure tier rule: start at high, each failed (or unreadable) signal caps the tier.
import type { TierRule } from '../config/index.js';
import type { PostureSignals } from './postureSchema.js';

export type Tier = 'high' | 'standard' | 'low' | 'untrusted';

const RANK: Record<Tier, number> = { high: 3, standard: 2, low: 1, untrusted: 0 };

export interface TierResult {
  tier: Tier;
  /** Rule ids that lowered the tier; `<id>-unknown` when the signal could not be read. */
  reasons: string[];
}

export function computeTier(signals: PostureSignals, rules: readonly TierRule[]): TierResult {
  let tier: Tier = 'high';
  const reasons: string[] = [];
  const cap = (to: Tier, reason: string) => {
    if (RANK[to] < RANK.high) reasons.push(reason);
    if (RANK[to] < RANK[tier]) tier = to;
  };
  for (const rule of rules) {
    const s = Object.hasOwn(signals, rule.signal) ? signals[rule.signal] : undefined;
    if (s === undefined || s.status !== 'ok' || s.value === null) {
      cap(rule.unknownCap, `${rule.id}-unknown`);
      continue;
    }
    if (!passes(rule, s.value)) cap(rule.cap, rule.id);
  }
  return { tier, reasons };
}

function passes(rule: TierRule, value: string | number | boolean): boolean {
  switch (rule.op) {
    case 'eq':
      return value === rule.value;
    case 'in':
      return Array.isArray(rule.value) && rule.value.includes(value);
    case 'lte':
      return typeof value === 'number' && typeof rule.value === 'number' && value <= rule.value;
    case 'gte':
      return typeof value === 'number' && typeof rule.value === 'number' && value >= rule.value;
  }
}
