// A seeded synthetic audit history for a department: clinicians on day and night shifts,
// vendor engineers from three organisations working inside grants, and injected anomalies
// of every kind the detectors know, each labelled with its subject and time span.
import type { AuditRow } from '../../src/store/index.js';
import type { AlertKind, PrincipalInfo } from '../../src/analytics/types.js';

export interface Anomaly {
  kind: AlertKind;
  subject: string;
  start: number;
  end: number;
}

export interface SyntheticHistory {
  rows: AuditRow[];
  anomalies: Anomaly[];
  principals: Map<string, PrincipalInfo>;
  days: number;
  start: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const H = 3600_000;
const D = 24 * H;
const MB = 1024 * 1024;
const KINDS: AlertKind[] = ['volume-spike', 'off-hours', 'snooping', 'first-use', 'vendor-pattern', 'auth-burst'];

export function syntheticHistory(o: { seed: number; clinicians?: number; weeks?: number; anomaliesPerKind?: number }): SyntheticHistory {
  const rnd = mulberry32(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const nClin = o.clinicians ?? 40;
  const days = (o.weeks ?? 6) * 7;
  const start = Date.UTC(2026, 0, 5); // a Monday
  const events: Omit<AuditRow, 'seq' | 'prevHash' | 'hash'>[] = [];
  const principals = new Map<string, PrincipalInfo>();
  const anomalies: Anomaly[] = [];
  const user = (id: string) => `Radgate::User::${JSON.stringify(id)}`;
  const ev = (t: number, type: string, actor: string, outcome: string, detail: Record<string, unknown>) =>
    events.push({ time: new Date(t).toISOString(), type, actor, outcome, detail: JSON.stringify(detail) });

  interface Clin { id: string; dept: string; target: string; nets: string[]; night: boolean; startH: number; endH: number }
  const clinicians: Clin[] = [];
  for (let i = 0; i < nClin; i++) {
    const dept = i % 3 === 0 ? 'cardiology' : 'radiology';
    const night = i % 5 === 4;
    const c: Clin = { id: `c${String(i).padStart(2, '0')}`, dept, target: dept === 'radiology' ? 'pacs-rad' : 'pacs-card', nets: [`10.20.${i % 6}.${int(10, 200)}`, ...(rnd() < 0.5 ? [`10.30.${i % 4}.${int(10, 200)}`] : [])], night, startH: night ? int(20, 21) : int(7, 9), endH: night ? int(6, 7) : int(16, 18) };
    clinicians.push(c);
    principals.set(c.id, { kind: 'workforce', org: 'st-mary' });
  }
  const patientsOf = (dept: string) => (dept === 'radiology' ? 3000 : 1500);
  const view = (c: Clin, t: number, opts: { patient?: number; bytes?: number; net?: string; target?: string; query?: boolean } = {}) => {
    const p = opts.patient ?? int(0, patientsOf(c.dept) - 1);
    const query = opts.query ?? rnd() < 0.25;
    ev(t, 'gateway.http.request', user(c.id), 'success', {
      target: opts.target ?? c.target,
      action: query ? 'dicomweb.query' : 'dicomweb.retrieve',
      study: `1.2.826.0.1.3680043.${c.dept === 'radiology' ? 1 : 2}.${p}`,
      patientId: `${c.dept.slice(0, 3).toUpperCase()}-${p}`,
      bytes: opts.bytes ?? (query ? int(5, 40) * 1024 : int(5, 60) * MB),
      source: opts.net ?? c.nets[rnd() < 0.8 ? 0 : c.nets.length - 1],
      status: 200,
    });
  };
  const shift = (c: Clin, day: number) => {
    const dow = (day % 7) + 1; // 1 = Monday
    if (!c.night && dow >= 6 && rnd() > 0.05) return;
    if (c.night && rnd() < 2 / 7) return;
    const t0 = start + day * D + c.startH * H + int(0, 40) * 60_000;
    const len = ((c.night ? 24 + c.endH : c.endH) - c.startH) * H - int(0, 60) * 60_000 + (rnd() < 0.1 ? int(30, 120) * 60_000 : 0);
    if (rnd() < 0.02) for (let k = 0; k < int(1, 2); k++) ev(t0 - 60_000, 'identity.webauthn.authenticate', user(c.id), 'failure', { reason: 'assertion-invalid' });
    ev(t0, 'identity.login', user(c.id), 'success', { idp: 'corp' });
    const n = int(15, 50);
    const revisit = Array.from({ length: int(5, 15) }, () => int(0, patientsOf(c.dept) - 1));
    for (let k = 0; k < n; k++) view(c, t0 + Math.floor(rnd() * len), rnd() < 0.5 ? { patient: pick(revisit) } : {});
    if (rnd() < 0.3) ev(t0 + Math.floor(rnd() * len), 'decision', user(c.id), 'deny', { action: 'dicomweb.retrieve', reasons: ['no-permit'], resource: 'Radgate::Study::"1.2.3"' });
  };

  interface Vendor { id: string; org: string; targets: string[]; net: string }
  const vendors: Vendor[] = [];
  ['acme-imaging', 'mri-service', 'ct-partners'].forEach((org, k) => {
    for (let j = 0; j < 2; j++) {
      const v = { id: `v-${org}-${j}`, org, targets: k === 0 ? ['ct-1', 'ct-2'] : k === 1 ? ['mri-1'] : ['ct-3'], net: `198.51.100.${10 * k + j + 1}` };
      vendors.push(v);
      principals.set(v.id, { kind: 'vendor', org });
    }
  });
  const vendorSession = (v: Vendor, t0: number, opts: { grant?: boolean; target?: string } = {}) => {
    const target = opts.target ?? pick(v.targets);
    const grantId = opts.grant === false ? undefined : `g-${v.id}-${t0}`;
    const n = int(5, 20);
    const len = int(40, 110) * 60_000;
    for (let k = 0; k < n; k++) ev(t0 + Math.floor((k / n) * len), 'gateway.tunnel.session', user(v.id), 'success', { target, ...(grantId ? { grantId } : {}), bytes: int(1, 10) * MB, source: v.net });
  };

  for (let day = 0; day < days; day++) {
    for (const c of clinicians) shift(c, day);
    const dow = (day % 7) + 1;
    if (dow <= 5) for (const v of vendors) if (rnd() < 0.4) vendorSession(v, start + day * D + int(9, 14) * H + int(0, 59) * 60_000);
  }

  // Anomalies, weeks 4 onwards.
  const per = o.anomaliesPerKind ?? 10;
  const aDay = () => int(21, days - 1);
  const dayShift = clinicians.filter((c) => !c.night);
  const shiftTime = (c: Clin, day: number) => {
    let d = day;
    while (((d % 7) + 1) >= 6) d--;
    return start + d * D + (c.startH + 2) * H + int(0, 90) * 60_000;
  };
  const used = new Set<string>();
  const fresh = (c: Clin, day: number) => {
    const k = `${c.id}:${day}`;
    if (used.has(k)) return false;
    used.add(k);
    return true;
  };
  for (const kind of KINDS) {
    for (let i = 0; i < per; i++) {
      if (kind === 'vendor-pattern') {
        const v = pick(vendors);
        const day = aDay();
        const variant = i % 3;
        const t0 = variant === 2 ? start + (Math.floor(day / 7) * 7 + 6) * D + 3 * H : start + day * D + int(9, 14) * H;
        const other = vendors.find((x) => x.org !== v.org)!;
        vendorSession(v, t0, variant === 0 ? { grant: false } : variant === 1 ? { target: pick(other.targets) } : {});
        anomalies.push({ kind, subject: v.id, start: t0, end: t0 + 2 * H });
        continue;
      }
      let c = pick(kind === 'off-hours' ? dayShift : clinicians);
      let day = aDay();
      while (!fresh(c, day)) {
        c = pick(kind === 'off-hours' ? dayShift : clinicians);
        day = aDay();
      }
      if (kind === 'volume-spike') {
        const t0 = shiftTime(c, day);
        const n = int(300, 600);
        const len = int(60, 90) * 60_000;
        for (let k = 0; k < n; k++) view(c, t0 + Math.floor((k / n) * len), { bytes: int(20, 60) * MB, query: false });
        anomalies.push({ kind, subject: c.id, start: t0, end: t0 + len });
      } else if (kind === 'off-hours') {
        const t0 = start + day * D + int(2, 3) * H + int(0, 30) * 60_000;
        for (let k = 0; k < int(5, 15); k++) view(c, t0 + k * int(1, 4) * 60_000);
        anomalies.push({ kind, subject: c.id, start: t0, end: t0 + H });
      } else if (kind === 'snooping') {
        const t0 = shiftTime(c, day);
        const n = int(60, 150);
        const len = 45 * 60_000;
        for (let k = 0; k < n; k++) view(c, t0 + Math.floor((k / n) * len), { bytes: int(50, 200) * 1024, query: true });
        anomalies.push({ kind, subject: c.id, start: t0, end: t0 + len });
      } else if (kind === 'first-use') {
        const t0 = shiftTime(c, day);
        const newNet = i % 2 === 0;
        for (let k = 0; k < int(3, 5); k++) view(c, t0 + k * 120_000, newNet ? { net: `203.0.113.${int(1, 250)}` } : { target: 'pacs-onc' });
        anomalies.push({ kind, subject: c.id, start: t0, end: t0 + 15 * 60_000 });
      } else if (kind === 'auth-burst') {
        const t0 = shiftTime(c, day);
        const n = int(10, 25);
        for (let k = 0; k < n; k++) ev(t0 + Math.floor((k / n) * 8 * 60_000), 'identity.webauthn.authenticate', user(c.id), 'failure', { reason: 'assertion-invalid', source: pick(c.nets) });
        anomalies.push({ kind, subject: c.id, start: t0, end: t0 + 8 * 60_000 });
      }
    }
  }
  events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const rows: AuditRow[] = events.map((e, i) => ({ ...e, seq: i + 1, prevHash: '', hash: '' }));
  return { rows, anomalies, principals, days, start };
}
