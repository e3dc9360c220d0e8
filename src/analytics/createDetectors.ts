// The behavioural detectors: per-principal and per-vendor-organisation baselines (median/MAD
// of active hours, EWMA, hour-of-day and hour-of-week profiles, known targets and networks)
// and the rules that turn a departure from them into a Detection that says which baseline
// broke and by how much. Pure state machine: activities in, detections out; the state
// serialises to JSON for analytics_state.
import { ewma, madSigma, median, pushBounded, quantile } from './robust.js';
import type { Activity, AlertKind, Detection, Explanation } from './types.js';

export interface DetectorSettings {
  /** Minutes east of UTC for hour-of-day/week (default: this host's offset). */
  utcOffsetMinutes: number;
  /** Active days before a principal's own baselines are trusted. */
  warmupDays: number;
  volumeFloorBytes: number;
  snoopingFloorPatients: number;
  authBurstFloor: number;
  authBurstWindowMinutes: number;
  /** Share of a principal's history (hour ±1) below which an hour is unusual. */
  offHoursShare: number;
  scores: Record<AlertKind, number>;
}

export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = {
  utcOffsetMinutes: -new Date().getTimezoneOffset(),
  warmupDays: 7,
  volumeFloorBytes: 2 * 1024 ** 3,
  snoopingFloorPatients: 25,
  authBurstFloor: 8,
  authBurstWindowMinutes: 10,
  offHoursShare: 0.001,
  scores: { 'volume-spike': 60, snooping: 60, 'vendor-pattern': 50, 'auth-burst': 40, 'off-hours': 30, 'first-use': 20 },
};

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const HISTORY = 240;

interface PrincipalState {
  kind: string;
  org: string;
  days: number;
  lastDay: number;
  events: number;
  hour: number;
  hourBytes: number;
  hourStudies: number;
  hourPatients: Set<string>;
  bytesHist: number[];
  patientsHist: number[];
  bytesEwma?: number;
  /** Thresholds for the current hour, from the history (recomputed at each hour roll-over). */
  bytesThr?: { thr: number; med: number; sigma: number };
  patientsThr?: { thr: number; med: number; q95: number };
  hod: number[];
  targets: Set<string>;
  networks: Set<string>;
  candidates: Record<string, number[]>;
  fails: number[];
  failsEwmaDaily?: number;
  failsToday: number;
  cooldown: Record<string, number>;
}

interface OrgState {
  firstSeen: number;
  targets: Set<string>;
  /** Targets seen but not yet learned: the days they were seen on. */
  candidates: Record<string, number[]>;
  hod: number[];
  weekend: number;
  events: number;
}

export interface Detectors {
  observe(a: Activity): Detection[];
  /** JSON-serialisable state per key (`p:<subject>`, `o:<org>`), only those changed since the last call. */
  dirtyState(): { key: string; value: unknown }[];
  load(key: string, value: unknown): void;
  readonly settings: DetectorSettings;
}

export function createDetectors(partial: Partial<DetectorSettings> = {}): Detectors {
  const s: DetectorSettings = { ...DEFAULT_DETECTOR_SETTINGS, ...partial, scores: { ...DEFAULT_DETECTOR_SETTINGS.scores, ...partial.scores } };
  const offset = s.utcOffsetMinutes * 60_000;
  const principals = new Map<string, PrincipalState>();
  const orgs = new Map<string, OrgState>();
  const dirty = new Set<string>();

  const principal = (a: Activity): PrincipalState => {
    let p = principals.get(a.subject);
    if (!p) {
      p = {
        kind: a.kind, org: a.org, days: 0, lastDay: -1, events: 0, hour: -1, hourBytes: 0, hourStudies: 0, hourPatients: new Set(),
        bytesHist: [], patientsHist: [], hod: new Array(24).fill(0), targets: new Set(), networks: new Set(), candidates: {}, fails: [], failsToday: 0, cooldown: {},
      };
      principals.set(a.subject, p);
    }
    return p;
  };
  const org = (name: string, t: number): OrgState => {
    let o = orgs.get(name);
    if (!o) orgs.set(name, (o = { firstSeen: t, targets: new Set(), candidates: {}, hod: new Array(24).fill(0), weekend: 0, events: 0 }));
    return o;
  };

  const detect = (out: Detection[], a: Activity, p: PrincipalState, kind: AlertKind, cooldownMs: number, explanation: Explanation, key: string = kind) => {
    if ((p.cooldown[key] ?? 0) > a.t) return;
    p.cooldown[key] = a.t + cooldownMs;
    const factor = explanation.factor ?? 1;
    const score = Math.min(100, s.scores[kind] + (factor > 2 ? Math.min(20, Math.round(Math.log2(factor) * 4)) : 0));
    out.push({ kind, subject: a.subject, org: a.org, t: a.t, seq: a.seq, score, explanation });
  };

  const rollHour = (p: PrincipalState, hour: number) => {
    if (p.hour >= 0 && (p.hourBytes > 0 || p.hourPatients.size > 0 || p.hourStudies > 0)) {
      pushBounded(p.bytesHist, p.hourBytes, HISTORY);
      pushBounded(p.patientsHist, p.hourPatients.size, HISTORY);
      p.bytesEwma = ewma(p.bytesEwma, p.hourBytes, 0.05);
      p.bytesThr = undefined;
      p.patientsThr = undefined;
    }
    p.hour = hour;
    p.hourBytes = 0;
    p.hourStudies = 0;
    p.hourPatients = new Set();
  };

  const bytesThreshold = (p: PrincipalState) => {
    if (!p.bytesThr) {
      const med = p.bytesHist.length > 0 ? median(p.bytesHist) : 0;
      const sigma = p.bytesHist.length > 0 ? madSigma(p.bytesHist) : 0;
      p.bytesThr = { thr: Math.max(s.volumeFloorBytes, 5 * med, med + 10 * sigma), med, sigma };
    }
    return p.bytesThr;
  };
  const patientsThreshold = (p: PrincipalState) => {
    if (!p.patientsThr) {
      const med = p.patientsHist.length > 0 ? median(p.patientsHist) : 0;
      const q95 = p.patientsHist.length > 0 ? quantile(p.patientsHist, 0.95) : 0;
      const sigma = p.patientsHist.length > 0 ? madSigma(p.patientsHist) : 0;
      p.patientsThr = { thr: Math.max(s.snoopingFloorPatients, med + 8 * sigma, 3 * q95), med, q95 };
    }
    return p.patientsThr;
  };

  const observe = (a: Activity): Detection[] => {
    const out: Detection[] = [];
    const p = principal(a);
    dirty.add(`p:${a.subject}`);
    const local = a.t + offset;
    const day = Math.floor(local / DAY);
    const hod = Math.floor(local / HOUR) % 24;
    const how = ((Math.floor(local / DAY) + 3) % 7) * 24 + hod; // 1970-01-01 was a Thursday: index 0 = Monday 00h
    const hour = Math.floor(a.t / HOUR);
    if (day !== p.lastDay) {
      if (p.lastDay >= 0) p.failsEwmaDaily = ewma(p.failsEwmaDaily, p.failsToday, 0.1);
      p.failsToday = 0;
      p.lastDay = day;
      p.days++;
    }
    if (hour !== p.hour) rollHour(p, hour);
    const warm = p.days > s.warmupDays;

    if (a.cls === 'auth-fail' || a.cls === 'deny') {
      p.failsToday++;
      const windowMs = s.authBurstWindowMinutes * 60_000;
      p.fails.push(a.t);
      while (p.fails.length > 0 && p.fails[0]! <= a.t - windowMs) p.fails.shift();
      const base = p.failsEwmaDaily ?? 0;
      const thr = Math.max(s.authBurstFloor, Math.ceil(4 * base));
      if (p.fails.length >= thr) {
        detect(out, a, p, 'auth-burst', windowMs, {
          baseline: `failed sign-ins and denied decisions per ${s.authBurstWindowMinutes} minutes (usual: ${base.toFixed(1)} per day, EWMA)`,
          observed: p.fails.length, expected: base, threshold: thr, factor: p.fails.length / Math.max(1, base),
          message: `${p.fails.length} failed sign-ins or denials within ${s.authBurstWindowMinutes} minutes; the usual rate is ${base.toFixed(1)} per day`,
        });
      }
      return out;
    }
    if (a.cls !== 'access') return out;
    p.events++;

    // Vendors: their organisation's pattern (grants, targets, hours of the week).
    if (a.kind === 'vendor') {
      const o = org(a.org, a.t);
      dirty.add(`o:${a.org}`);
      const orgWarm = a.t - o.firstSeen > 14 * DAY && o.events >= 20;
      if (!a.grantId) {
        detect(out, a, p, 'vendor-pattern', 2 * HOUR, { baseline: 'vendor access happens inside an approved grant', observed: 1, expected: 0, threshold: 0, message: `vendor activity on ${a.target ?? 'a target'} without a grant` }, 'vendor-no-grant');
      } else if (orgWarm && a.target && !o.targets.has(a.target)) {
        detect(out, a, p, 'vendor-pattern', 2 * HOUR, { baseline: `targets ${a.org} engineers use (${[...o.targets].slice(0, 10).join(', ')})`, observed: 1, expected: 0, threshold: 0, target: a.target, message: `vendor ${a.org} on ${a.target}, a target the organisation has never serviced` }, 'vendor-target');
      } else if (orgWarm) {
        // Hour of day (±1) and weekend, from the organisation's history: vendor sessions are too sparse for 168 bins.
        const hodShare = (o.hod[(hod + 23) % 24]! + o.hod[hod]! + o.hod[(hod + 1) % 24]!) / Math.max(1, o.events);
        const weekend = how >= 5 * 24;
        const weekendShare = o.weekend / Math.max(1, o.events);
        if (hodShare < 0.005 || (weekend && weekendShare < 0.01)) {
          detect(out, a, p, 'vendor-pattern', 4 * HOUR, {
            baseline: `${a.org}'s service hours (share of its activity at this hour ±1: ${(hodShare * 100).toFixed(1)}%, on weekends: ${(weekendShare * 100).toFixed(1)}%)`,
            observed: weekend ? weekendShare : hodShare, expected: weekend ? 2 / 7 : 1 / 8, threshold: weekend ? 0.01 : 0.005, hourOfWeek: how,
            message: `vendor ${a.org} active at ${hod}h on ${weekend ? 'a weekend day' : `weekday ${Math.floor(how / 24) + 1}`}, outside its usual service windows`,
          }, 'vendor-hours');
        }
      }
      // Alerting activity is not learned as normal: a new target joins after three separate days, and hours seen only while an hours alert is open are not folded in.
      if (a.target && !o.targets.has(a.target)) learn(o.candidates, a.target, day, orgWarm ? 3 : 1, o.targets);
      if ((p.cooldown['vendor-hours'] ?? 0) <= a.t) {
        o.hod[hod]!++;
        if (how >= 5 * 24) o.weekend++;
      }
      o.events++;
    } else {
      // Off-hours (workforce): far from any hour that holds a real share of this person's work.
      if (warm && p.events > 100) {
        const total = p.hod.reduce((x, y) => x + y, 0);
        const share = (p.hod[(hod + 23) % 24]! + p.hod[hod]! + p.hod[(hod + 1) % 24]!) / total;
        let distance = 24;
        for (let d = 0; d <= 12; d++) if (p.hod[(hod + d) % 24]! / total >= 0.02 || p.hod[(hod + 24 - d) % 24]! / total >= 0.02) { distance = d; break; }
        if (share < s.offHoursShare && distance >= 3) {
          const usual = p.hod.map((v, h) => [h, v / total] as const).filter(([, v]) => v >= 0.02).map(([h]) => h);
          detect(out, a, p, 'off-hours', 6 * HOUR, {
            baseline: `hour-of-day profile over ${p.days} active days (usual hours ${usual.length ? `${Math.min(...usual)}-${Math.max(...usual) + 1}h` : 'none'})`,
            observed: share, expected: 1 / 24, threshold: s.offHoursShare, factor: s.offHoursShare / Math.max(share, 1e-6), hour: hod, hoursFromUsual: distance,
            message: `activity at ${hod}h, ${distance} hours from this user's usual working hours (${(share * 100).toFixed(2)}% of past activity around this hour)`,
          });
        }
      }
      // First use of a target or a network, once the person's habits are known.
      if (warm && a.target && !p.targets.has(a.target)) {
        detect(out, a, p, 'first-use', DAY, { baseline: `targets used before (${[...p.targets].slice(0, 10).join(', ')})`, observed: 1, expected: 0, threshold: 0, target: a.target, message: `first use of target ${a.target} after ${p.days} active days` }, `first-target:${a.target}`);
      }
      if (warm && a.network && !p.networks.has(a.network)) {
        detect(out, a, p, 'first-use', DAY, { baseline: `networks used before (${[...p.networks].slice(0, 10).join(', ')})`, observed: 1, expected: 0, threshold: 0, network: a.network, message: `first access from network ${a.network} after ${p.days} active days` }, `first-net:${a.network}`);
      }
    }
    if (a.kind !== 'vendor' && (p.cooldown['off-hours'] ?? 0) <= a.t) p.hod[hod]!++;
    if (a.target && !p.targets.has(a.target)) learn(p.candidates, `t:${a.target}`, day, warm ? 2 : 1, p.targets, a.target);
    if (a.network && !p.networks.has(a.network)) learn(p.candidates, `n:${a.network}`, day, warm ? 2 : 1, p.networks, a.network);

    // Volume (bytes this hour) and breadth (distinct patients this hour).
    p.hourBytes += a.bytes;
    p.hourStudies++;
    if (a.patient ?? a.study) p.hourPatients.add((a.patient ?? a.study)!);
    // Thresholds are max(floor, …): below the floor nothing can fire, so skip the quantiles.
    const b = p.hourBytes > s.volumeFloorBytes ? bytesThreshold(p) : undefined;
    if (b && p.hourBytes > b.thr) {
      detect(out, a, p, 'volume-spike', HOUR, {
        baseline: `bytes per active hour (median ${fmtBytes(b.med)}, MAD-sigma ${fmtBytes(b.sigma)} over ${p.bytesHist.length} hours)`,
        observed: p.hourBytes, expected: b.med, threshold: b.thr, factor: p.hourBytes / Math.max(b.med, 1), studies: p.hourStudies,
        message: `${fmtBytes(p.hourBytes)} retrieved in this hour (${p.hourStudies} requests); usual is ${fmtBytes(b.med)} per hour`,
      });
    }
    const pt = p.hourPatients.size > s.snoopingFloorPatients ? patientsThreshold(p) : undefined;
    if (pt && p.hourPatients.size > pt.thr) {
      detect(out, a, p, 'snooping', HOUR, {
        baseline: `distinct patients per active hour (median ${pt.med}, 95th percentile ${pt.q95} over ${p.patientsHist.length} hours)`,
        observed: p.hourPatients.size, expected: pt.med, threshold: pt.thr, factor: p.hourPatients.size / Math.max(pt.med, 1),
        message: `${p.hourPatients.size} distinct patients in one hour; usual is ${pt.med}`,
      });
    }
    return out;
  };

  return {
    settings: s,
    observe,
    dirtyState() {
      const out: { key: string; value: unknown }[] = [];
      for (const key of dirty) {
        const v = key.startsWith('p:') ? principals.get(key.slice(2)) : orgs.get(key.slice(2));
        if (v) out.push({ key, value: v, });
      }
      dirty.clear();
      return out.map(({ key, value }) => ({ key, value: JSON.parse(JSON.stringify(value, (_k, x: unknown) => (x instanceof Set ? { $set: [...x] } : x))) as unknown }));
    },
    load(key, value) {
      const revive = JSON.parse(JSON.stringify(value), (_k, x: unknown) => (x && typeof x === 'object' && '$set' in x ? new Set((x as { $set: string[] }).$set) : x)) as Record<string, unknown>;
      if (key.startsWith('p:')) principals.set(key.slice(2), revive as unknown as PrincipalState);
      else if (key.startsWith('o:')) orgs.set(key.slice(2), revive as unknown as OrgState);
    },
  };
}

/** Adds `value` to `known` once it was seen on `days` distinct days. */
function learn(candidates: Record<string, number[]>, key: string, day: number, days: number, known: Set<string>, value = key): void {
  const seen = (candidates[key] ??= []);
  if (!seen.includes(day)) seen.push(day);
  if (seen.length >= days) {
    known.add(value);
    delete candidates[key];
  }
}

function fmtBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}
