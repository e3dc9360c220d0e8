// Issue 10 acceptance: a seeded six-week synthetic department (40 clinicians, 6 vendor
// engineers, 10 injected anomalies of each kind from week 4) through the real path
// (audit row -> facts -> activity -> detectors). Recall >= 0.9 per kind and at most one
// false alert per 1,000 user-days on the clean part. The figures are printed.
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../src/analytics/types.js';
import { evaluate } from './evaluate.js';
import { syntheticHistory } from './synthetic.js';

describe('behavioural detectors on a synthetic department', () => {
  it.each([1, 2, 3])('seed %i: recall >= 0.9 on every kind, <= 1 false alert per 1,000 user-days, every alert explained', (seed) => {
    const h = syntheticHistory({ seed });
    const e = evaluate(h);
    const lines = ALERT_KINDS.map((k) => {
      const s = e.perKind[k];
      return `${k.padEnd(15)} injected ${s.injected} recall ${s.recall.toFixed(2)} precision ${Number.isNaN(s.precision) ? '-' : s.precision.toFixed(2)} (tp ${s.truePositives}, fp ${s.falsePositives}, on another kind's anomaly ${s.crossKind})`;
    });
    process.stdout.write(`seed ${seed}: ${h.rows.length} events, ${e.userDays} user-days, false alerts ${e.falseAlerts} (${e.falseAlertsPer1000UserDays.toFixed(2)} per 1,000 user-days)\n  ${lines.join('\n  ')}\n`);
    for (const k of ALERT_KINDS) {
      expect(e.perKind[k].injected).toBe(10);
      expect(e.perKind[k].recall, k).toBeGreaterThanOrEqual(0.9);
    }
    expect(e.falseAlertsPer1000UserDays).toBeLessThanOrEqual(1);
    for (const d of e.detections) {
      expect(d.explanation.baseline.length).toBeGreaterThan(10);
      expect(d.explanation.message.length).toBeGreaterThan(10);
      expect(Number.isFinite(d.explanation.observed)).toBe(true);
    }
  });

  it('does not alert on the clean history alone (no anomalies injected)', () => {
    const h = syntheticHistory({ seed: 9, anomaliesPerKind: 0 });
    const e = evaluate(h);
    expect(e.detections.map((d) => `${d.kind} ${d.subject} ${new Date(d.t).toISOString()}`)).toEqual([]);
  });
});
