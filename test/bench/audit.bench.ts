// Audit group commit: durable events/s and append latency with 64 concurrent appenders on
// a real SQLite file, against one FULL-sync transaction per event on another file.
// The runs are interleaved in rounds so that load swings on a shared machine hit all alike.
// `npm run bench -- audit [--seconds 3] [--rounds 3] [--appenders 64]`
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import canonicalizePkg from 'canonicalize';
import { canonicalJson, GENESIS_HASH, hashEvent, openAuditLog, verifyAuditChain, type AuditEventInput } from '../../src/audit/index.js';
import { openStore, type AuditRow } from '../../src/store/index.js';
import { flushJson, line, percentile, record, round } from './report.js';

// canonicalize is CommonJS (`module.exports = fn`); its .d.ts declares an ES default export.
const canonicalize = canonicalizePkg as unknown as (input: unknown) => string | undefined;

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return v;
}

// 50 distinct actors: a realistic spread, and it matters (index pages touched per commit).
const sample = (i: number): AuditEventInput => ({
  type: 'gateway.http.request',
  actor: `Radgate::User::"u${i % 50}"`,
  outcome: 'allow',
  detail: { method: 'GET', path: `/dicomweb/studies/1.2.840.113619.${i}`, status: 200, bytes: 524288, session: 's-4f1c' },
});

interface Totals {
  events: number;
  seconds: number;
  transactions: number;
  latencies: number[];
}
interface Runner {
  /** Runs for `ms` and adds what it measured to `totals`. */
  slice(ms: number): Promise<void>;
  totals: Totals;
  close(): Promise<{ verifiedPerSecond?: number }>;
}

export async function main(args: string[]): Promise<void> {
  const seconds = arg(args, 'seconds', 3);
  const rounds = Math.round(arg(args, 'rounds', 3));
  const appenders = Math.round(arg(args, 'appenders', 64));
  const dir = mkdtempSync(path.join(tmpdir(), 'radgate-bench-audit-'));
  try {
    line(`audit bench: ${appenders} appenders, ${seconds}s per run in ${rounds} interleaved rounds, SQLite WAL + synchronous=FULL in ${dir}`);
    const hashing = benchHashing();
    const base = await baselineRunner(path.join(dir, 'baseline.db'));
    const group = await groupRunner(path.join(dir, 'group'), appenders);
    const runners = [base, group];
    for (const r of runners) await r.slice(300); // warm-up: JIT, page cache, WAL growth
    for (const r of runners) r.totals = { events: 0, seconds: 0, transactions: 0, latencies: [] };
    for (let i = 0; i < rounds; i++) for (const r of runners) await r.slice((seconds * 1000) / rounds);
    const verified = await group.close();
    await base.close();

    const [b, g] = runners.map((r) => summarise(r.totals));
    line(`baseline: ${base.totals.events} single-event transactions in ${base.totals.seconds.toFixed(2)}s`);
    line(`group commit: ${group.totals.events} events in ${group.totals.transactions} transactions in ${group.totals.seconds.toFixed(2)}s`);
    const vsBase = { baseline: 'one FULL-sync transaction per event', appenders };
    record({ bench: 'audit', metric: 'durable_events_per_s', unit: 'events/s', value: round(g!.perSecond, 0), ...vsBase, baseline_value: round(b!.perSecond, 0), avg_batch: round(g!.avgBatch, 1) });
    record({ bench: 'audit', metric: 'append_p99_ms', unit: 'ms', value: round(g!.p99, 3), ...vsBase, baseline_value: round(b!.p99, 3) });
    record({ bench: 'audit', metric: 'append_p50_ms', unit: 'ms', value: round(g!.p50, 3), ...vsBase, baseline_value: round(b!.p50, 3) });
    record({ bench: 'audit', metric: 'hash_us_per_event', unit: 'us', value: round(hashing.ours, 3), baseline: 'canonicalize package + createHash', baseline_value: round(hashing.naive, 3) });
    record({ bench: 'audit', metric: 'verify_events_per_s', unit: 'events/s', value: round(verified.verifiedPerSecond ?? 0, 0) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  flushJson();
}

function summarise(t: Totals) {
  t.latencies.sort((a, b) => a - b);
  return {
    perSecond: t.events / t.seconds,
    avgBatch: t.events / Math.max(1, t.transactions),
    p50: percentile(t.latencies, 50),
    p99: percentile(t.latencies, 99),
  };
}

/** The writer under test: `appenders` loops of `await append()`. */
async function groupRunner(home: string, appenders: number): Promise<Runner> {
  const file = path.join(home, 'radgate.db');
  const store = await openStore({ location: file });
  const log = await openAuditLog({ store, home, checkpointEvery: 1000, checkpointIntervalSeconds: 60 });
  let next = 0;
  const runner: Runner = {
    totals: { events: 0, seconds: 0, transactions: 0, latencies: [] },
    async slice(ms) {
      let running = true;
      const latencies = runner.totals.latencies;
      const worker = async () => {
        while (running) {
          const t = performance.now();
          await log.append(sample(next++));
          latencies.push(performance.now() - t);
        }
      };
      const before = log.stats();
      const t0 = performance.now();
      const workers = Array.from({ length: appenders }, worker);
      await sleep(ms);
      running = false;
      await Promise.all(workers);
      const after = log.stats();
      runner.totals.seconds += (performance.now() - t0) / 1000;
      runner.totals.events += after.committed - before.committed;
      runner.totals.transactions += after.batches - before.batches;
    },
    async close() {
      await log.close();
      const t0 = performance.now();
      const verified = await verifyAuditChain(store, log.publicKey);
      const secs = (performance.now() - t0) / 1000;
      await store.close();
      if (!verified.ok) throw new Error(`bench chain does not verify: ${verified.problem} at ${verified.firstBadSeq}`);
      return { verifiedPerSecond: verified.events / secs };
    },
  };
  return runner;
}

/** The naive log: each event hashed and committed in its own FULL-sync transaction. */
async function baselineRunner(file: string): Promise<Runner> {
  const store = await openStore({ location: file });
  let prevHash = GENESIS_HASH;
  let seq = 0;
  const runner: Runner = {
    totals: { events: 0, seconds: 0, transactions: 0, latencies: [] },
    async slice(ms) {
      const t0 = performance.now();
      const end = t0 + ms;
      while (performance.now() < end) {
        const t = performance.now();
        const e = sample(seq);
        const r = { seq: seq + 1, time: new Date().toISOString(), type: e.type, actor: e.actor, outcome: e.outcome, detail: canonicalJson(e.detail), prevHash };
        const row: AuditRow = { ...r, hash: hashEvent(r) };
        await store.audit.appendBatch([row]);
        seq++;
        prevHash = row.hash;
        runner.totals.latencies.push(performance.now() - t);
        runner.totals.events++;
        runner.totals.transactions++;
      }
      runner.totals.seconds += (performance.now() - t0) / 1000;
    },
    async close() {
      await store.close();
      return {};
    },
  };
  return runner;
}

/** Canonical encoding + SHA-256 per event: the writer's CPU cost on the commit path. */
function benchHashing() {
  const N = 200_000;
  const e = sample(1);
  const detail = canonicalJson(e.detail);
  const fields = { seq: 1, time: new Date().toISOString(), type: e.type, actor: e.actor, outcome: e.outcome, detail, prevHash: GENESIS_HASH };
  const obj = { ...fields, detail: e.detail };
  const run = (fn: (i: number) => string) => {
    for (let i = 0; i < 20_000; i++) fn(i);
    const t = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    return ((performance.now() - t) * 1000) / N;
  };
  const ours = run((i) => hashEvent({ ...fields, detail: canonicalJson(e.detail), seq: i }));
  const naive = run((i) => createHash('sha256').update(canonicalize({ ...obj, seq: i })!).digest('hex'));
  return { ours, naive };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
