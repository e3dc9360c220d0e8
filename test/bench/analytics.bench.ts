// Behavioural analytics throughput: audit events/s through the detectors, on the seeded
// six-week synthetic department the detection tests use. Measured two ways: the real
// per-row path (stored row -> facts -> activity -> detectors, what createAnalytics runs for
// each committed event, without the database) and the detectors alone (activities
// prepared beforehand); the baseline is the floor of reading the stream (JSON.parse of each
// row's detail). Rounds are interleaved; the median round is reported. Also prints the
// detection quality on the same history (recall and precision per kind, false alerts).
// `npm run bench -- analytics [--rounds 5] [--weeks 6]`
import { eventFacts } from '../../src/audit/index.js';
import { createDetectors } from '../../src/analytics/createDetectors.js';
import { toActivity } from '../../src/analytics/toActivity.js';
import { ALERT_KINDS, type Activity } from '../../src/analytics/types.js';
import { evaluate } from '../analytics/evaluate.js';
import { syntheticHistory } from '../analytics/synthetic.js';
import { flushJson, line, record, round } from './report.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return v;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(args: string[]): Promise<void> {
  const rounds = Math.round(arg(args, 'rounds', 5));
  const weeks = Math.round(arg(args, 'weeks', 6));
  const h = syntheticHistory({ seed: 1, weeks });
  const n = h.rows.length;
  const who = (id: string) => h.principals.get(id);
  line(`analytics bench: ${n} audit events (${h.principals.size} principals, ${h.days} days, ${h.anomalies.length} injected anomalies), ${rounds} interleaved rounds`);

  const activities: Activity[] = [];
  for (const row of h.rows) {
    const a = toActivity(eventFacts(row), who);
    if (a) activities.push(a);
  }
  let sink = 0;
  const fullPath = () => {
    const det = createDetectors({ utcOffsetMinutes: 0 });
    const t0 = process.hrtime.bigint();
    for (const row of h.rows) {
      const a = toActivity(eventFacts(row), who);
      if (a) sink += det.observe(a).length;
    }
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const detectorsOnly = () => {
    const det = createDetectors({ utcOffsetMinutes: 0 });
    const t0 = process.hrtime.bigint();
    for (const a of activities) sink += det.observe(a).length;
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const parseOnly = () => {
    const t0 = process.hrtime.bigint();
    for (const row of h.rows) sink += (JSON.parse(row.detail) as object) ? 1 : 0;
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  fullPath();
  detectorsOnly();
  parseOnly(); // warm-up: JIT
  const full: number[] = [];
  const only: number[] = [];
  const parse: number[] = [];
  for (let i = 0; i < rounds; i++) {
    full.push(fullPath());
    only.push(detectorsOnly());
    parse.push(parseOnly());
  }
  if (sink < 0) line('unreachable');

  const e = evaluate(h);
  for (const k of ALERT_KINDS) {
    const s = e.perKind[k];
    line(`  ${k.padEnd(15)} injected ${s.injected} recall ${s.recall.toFixed(2)} precision ${Number.isNaN(s.precision) ? '-' : s.precision.toFixed(2)}`);
  }
  line(`  false alerts on the clean part: ${e.falseAlerts} (${e.falseAlertsPer1000UserDays.toFixed(2)} per 1,000 user-days)`);

  const base = { baseline: 'JSON.parse of each row detail (reading the stream)', baseline_value: round(median(parse), 0) };
  record({ bench: 'analytics', metric: 'events_per_s', unit: 'events/s', value: round(median(full), 0), ...base, target: 100_000, path: 'row -> facts -> activity -> detectors' });
  record({ bench: 'analytics', metric: 'detector_events_per_s', unit: 'events/s', value: round(median(only), 0), ...base, path: 'detectors.observe only' });
  record({ bench: 'analytics', metric: 'min_recall', unit: 'ratio', value: round(Math.min(...ALERT_KINDS.map((k) => e.perKind[k].recall)), 3) });
  record({ bench: 'analytics', metric: 'false_alerts_per_1000_user_days', unit: 'alerts', value: round(e.falseAlertsPer1000UserDays, 3) });
  flushJson();
}
