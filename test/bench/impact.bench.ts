// `npm run bench -- impact [--n N] [--baseline-sample K]`: impact preview over N (default
// 1,000,000) stored decisions — wall time and peak RSS of the replay, measured in a fresh
// child process so generating the data does not count — against a baseline that replays
// a sample with direct cedar-wasm isAuthorized calls (policies and schema passed per call,
// as a naive replay would), extrapolated to N. Target: ≤ 60 s and ≤ 512 MB RSS.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { canonicalJson, GENESIS_HASH, hashEvent } from '../../src/audit/index.js';
import {
  canonicalFiles,
  contextDigest,
  createPolicyEngine,
  impactPreview,
  NO_AUDIT,
  policySetFromFiles,
  readVersionFiles,
  uidString,
  versionId,
  type DecisionContext,
  type EntityDescription,
  type PolicySet,
} from '../../src/policy/index.js';
import { openStore, type AuditRow, type DecisionFactsRow } from '../../src/store/index.js';
import { tmpHome } from '../helpers/tmpHome.js';
import { flushJson, line, record, round } from './report.js';

const BENCH = 'impact';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const POLICY_DIR = path.resolve(HERE, '../../policies');
const FREEZE = `@id("freeze-pacs-3")\n@reason("target-frozen")\nforbid (principal, action in Radgate::Action::"dataplane", resource in Radgate::Target::"pacs-3");\n`;
const DEPARTMENTS = ['radiology', 'cardiology', 'oncology', 'neurology'];
/** Requests per viewing session (override with --session). */
let SESSION = 50;

function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

async function sets(): Promise<{ seed: PolicySet; proposed: PolicySet }> {
  const files = canonicalFiles(await readVersionFiles([POLICY_DIR]));
  const next = canonicalFiles({ ...files, 'freeze.cedar': FREEZE });
  return { seed: policySetFromFiles(versionId(files), files), proposed: policySetFromFiles(versionId(next), next) };
}

/**
 * Decision i belongs to viewing session floor(i / 50): a viewer opening a study issues
 * dozens of requests (metadata, frames) for the same user and study, with ticking ages.
 */
function request(i: number): { p: EntityDescription; r: EntityDescription; c: DecisionContext; a: 'dicomweb.query' | 'dicomweb.retrieve' } {
  const k = Math.floor(i / SESSION);
  const u = (Math.imul(k, 2654435761) >>> 0) % 2000;
  const s = (Math.imul(k, 40503) + 7 >>> 0) % 5000;
  const target = `pacs-${s % 20}`;
  return {
    a: i % SESSION === 0 ? 'dicomweb.query' : 'dicomweb.retrieve',
    p: { uid: { type: 'Radgate::User', id: `u${u}` }, attrs: { kind: 'workforce', org: 'st-mary', department: DEPARTMENTS[u % 4]! }, parents: [{ type: 'Radgate::Role', id: 'clinician' }] },
    r: { uid: { type: 'Radgate::Study', id: `1.2.826.0.1.${s}` }, attrs: { target: { type: 'Radgate::Target', id: target }, department: DEPARTMENTS[(s >> 2) % 4]! }, parents: [{ type: 'Radgate::Target', id: target }] },
    c: {
      auth: { methods: ['oidc', 'webauthn'], webauthn: true, ageSeconds: 30 + (i % 600) },
      device: { id: `dev-${u}`, managed: true, tier: k % 50 === 0 ? 'low' : 'high', stale: false, postureAgeSeconds: i % 900 },
      network: { source: `10.20.${u % 250}.${(u >> 3) % 250}` },
      time: { hour: 8 + (k % 10), weekday: 1 + (k % 5) },
      request: { bulk: i % SESSION === 1 },
    },
  };
}

/** Phase 1: N decisions (decided by the seed set) as audit rows with a valid chain, plus their facts. */
async function generate(db: string, from: number, to: number, n: number, seed: PolicySet): Promise<void> {
  const store = await openStore({ location: db });
  const engine = createPolicyEngine({ audit: NO_AUDIT, cacheTtlSeconds: 1e9, cacheMaxEntries: 100_000, clock: () => 0 });
  engine.activate(seed);
  const start = Date.now() - 6 * 86_400_000;
  const step = (6 * 86_400_000) / n;
  let prev = (await store.audit.head())?.hash ?? GENESIS_HASH;
  const batch = 5000;
  for (let base = from; base < to; base += batch) {
    const rows: AuditRow[] = [];
    const facts: DecisionFactsRow[] = [];
    for (let i = base; i < Math.min(to, base + batch); i++) {
      const q = request(i);
      const d = engine.authorize(q.p, q.a, q.r, q.c);
      const detail = canonicalJson({ action: q.a, resource: uidString(q.r.uid), policyIds: [...d.policyIds], reasons: [...d.reasons], context: contextDigest(q.c), cached: d.cached, policyVersion: seed.version });
      const row = { seq: i + 1, time: new Date(start + i * step).toISOString(), type: 'decision', actor: uidString(q.p.uid), outcome: d.decision, detail, prevHash: prev };
      const hash = hashEvent(row);
      rows.push({ ...row, hash });
      prev = hash;
      facts.push({ seq: i + 1, facts: JSON.stringify({ a: q.a, p: q.p, r: q.r, c: q.c }) });
    }
    await store.audit.appendBatch(rows);
    await store.decisionFacts.insertBatch(facts);
  }
  engine.close();
  await store.close();
}

/** Phase 2 (child process): the impact preview itself. */
async function replay(db: string): Promise<void> {
  const { proposed } = await sets();
  const store = await openStore({ location: db, migrate: false });
  const t0 = performance.now();
  const report = await impactPreview(store, proposed, { since: new Date(Date.now() - 7 * 86_400_000) });
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, rssMb, decisions: report.decisions, replayed: report.replayed, newlyDenied: report.newlyDenied, newlyAllowed: report.newlyAllowed, top: report.top.resourcesNewlyDenied.slice(0, 3) }) + '\n');
}

/** The naive replay: every stored decision through cedar-wasm isAuthorized with the set's text and schema. */
async function baseline(db: string, sample: number): Promise<number> {
  const { proposed } = await sets();
  const policies = [...proposed.policies.values()].map((p) => p.text).join('\n');
  const store = await openStore({ location: db, migrate: false });
  const rows = await store.decisionFacts.decisionsPage(0, sample, sample);
  await store.close();
  const ent = (e: EntityDescription) => ({
    uid: e.uid,
    attrs: Object.fromEntries(Object.entries(e.attrs ?? {}).map(([k, v]) => [k, v && typeof v === 'object' && 'type' in v ? { __entity: v } : v])),
    parents: e.parents ?? [],
  });
  let flips = 0;
  const t0 = performance.now();
  for (const row of rows) {
    const f = JSON.parse(row.facts!) as { a: string; p: EntityDescription; r: EntityDescription; c: DecisionContext };
    const c = f.c as Record<string, unknown> & { network?: { source: string } };
    const context = { ...c, network: c.network ? { source: { __extn: { fn: 'ip', arg: c.network.source } } } : undefined };
    const answer = cedar.isAuthorized({
      principal: f.p.uid,
      action: { type: 'Radgate::Action', id: f.a },
      resource: f.r.uid,
      context: context as never,
      schema: proposed.schemaText,
      policies: { staticPolicies: policies },
      entities: [ent(f.p), ent(f.r)] as never,
    });
    if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
    if (answer.response.decision !== row.outcome) flips++;
  }
  const perDecisionMs = (performance.now() - t0) / rows.length;
  line(`  baseline sample: ${rows.length} decisions, ${flips} flips, ${round(perDecisionMs * 1000, 1)} µs per decision`);
  return perDecisionMs;
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '--replay') return replay(args[1]!);
  if (args[0] === '--generate') {
    SESSION = Number(args[5]);
    return generate(args[1]!, Number(args[2]), Number(args[3]), Number(args[4]), (await sets()).seed);
  }
  const n = arg(args, '--n', 1_000_000);
  const sample = arg(args, '--baseline-sample', 5000);
  SESSION = arg(args, '--session', 50);
  const home = tmpHome('radgate-impact-bench-');
  const db = path.join(home, 'radgate.db');
  try {
    line(`impact: ${n} stored decisions over 6 days: viewing sessions of ${SESSION} requests (2000 clinicians, 5000 studies in 20 targets); the proposed set freezes one target`);
    line(`  cedar-wasm ${cedar.getCedarVersion()}, node ${process.version}`);
    const g0 = performance.now();
    // In child processes of 40,000 decisions each: one long generating loop has hit a V8
    // deoptimizer crash (Node 20) on this machine; the chain continues from the stored head.
    for (let from = 0; from < n; from += 40_000) {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(HERE, 'run.ts'), BENCH, '--generate', db, String(from), String(Math.min(n, from + 40_000)), String(n), String(SESSION)], { stdio: 'inherit' });
    }
    line(`  generated in ${round((performance.now() - g0) / 1000, 1)} s`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(HERE, 'run.ts'), BENCH, '--replay', db], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; rssMb: number; decisions: number; replayed: number; newlyDenied: number; newlyAllowed: number; top: unknown };
    line(`  replayed ${r.replayed} of ${r.decisions}; newly denied ${r.newlyDenied}, newly allowed ${r.newlyAllowed}; top resources ${JSON.stringify(r.top)}`);
    const perMs = await baseline(db, sample);
    const projected = (perMs * r.decisions) / 1000;
    record({ bench: BENCH, metric: 'replay_seconds', unit: 's', value: round(r.seconds, 2), baseline: `direct cedar-wasm isAuthorized (sample ${sample}, projected to ${r.decisions})`, baseline_value: round(projected, 1), decisions: r.decisions, target: 60 });
    record({ bench: BENCH, metric: 'replay_peak_rss', unit: 'MB', value: round(r.rssMb, 0), target: 512 });
    record({ bench: BENCH, metric: 'replay_per_decision', unit: 'us', value: round((r.seconds * 1e6) / r.decisions, 2), baseline: 'direct cedar-wasm isAuthorized', baseline_value: round(perMs * 1000, 1) });
    flushJson();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
