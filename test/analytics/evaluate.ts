// Runs a synthetic history through the real path (audit row -> facts -> activity ->
// detectors) and scores the detections against the injected anomalies.
import { eventFacts } from '../../src/audit/index.js';
import { createDetectors, type DetectorSettings } from '../../src/analytics/createDetectors.js';
import { toActivity } from '../../src/analytics/toActivity.js';
import { ALERT_KINDS, type AlertKind, type Detection } from '../../src/analytics/types.js';
import type { SyntheticHistory } from './synthetic.js';

export interface KindScore {
  injected: number;
  detected: number;
  recall: number;
  truePositives: number;
  falsePositives: number;
  precision: number;
  /** Detections of this kind that matched an anomaly of another kind. */
  crossKind: number;
}

export interface Evaluation {
  perKind: Record<AlertKind, KindScore>;
  falseAlerts: number;
  userDays: number;
  falseAlertsPer1000UserDays: number;
  detections: Detection[];
  unmatched: Detection[];
}

export function evaluate(h: SyntheticHistory, settings: Partial<DetectorSettings> = {}): Evaluation {
  const det = createDetectors({ utcOffsetMinutes: 0, ...settings });
  const detections: Detection[] = [];
  for (const row of h.rows) {
    const a = toActivity(eventFacts(row), (id) => h.principals.get(id));
    if (a) detections.push(...det.observe(a));
  }
  const matches = (d: Detection) => h.anomalies.filter((x) => x.subject === d.subject && d.t >= x.start - 60_000 && d.t <= x.end + 61 * 60_000);
  const perKind = Object.fromEntries(ALERT_KINDS.map((k) => [k, { injected: 0, detected: 0, recall: 0, truePositives: 0, falsePositives: 0, precision: 0, crossKind: 0 }])) as Record<AlertKind, KindScore>;
  const unmatched: Detection[] = [];
  for (const d of detections) {
    const m = matches(d);
    if (m.length === 0) {
      perKind[d.kind].falsePositives++;
      unmatched.push(d);
    } else if (m.some((x) => x.kind === d.kind)) perKind[d.kind].truePositives++;
    else perKind[d.kind].crossKind++;
  }
  for (const x of h.anomalies) {
    perKind[x.kind].injected++;
    if (detections.some((d) => d.kind === x.kind && d.subject === x.subject && d.t >= x.start - 60_000 && d.t <= x.end + 61 * 60_000)) perKind[x.kind].detected++;
  }
  for (const k of ALERT_KINDS) {
    const s = perKind[k];
    s.recall = s.injected ? s.detected / s.injected : NaN;
    s.precision = s.truePositives + s.falsePositives ? s.truePositives / (s.truePositives + s.falsePositives) : NaN;
  }
  const userDays = h.principals.size * h.days;
  return { perKind, falseAlerts: unmatched.length, userDays, falseAlertsPer1000UserDays: (unmatched.length / userDays) * 1000, detections, unmatched };
}
