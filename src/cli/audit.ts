// `radgate audit verify|tail|export`: prove the hash chain, read recent events, and export a
// time range as JSON lines, ATNA XML (one message per line) or FHIR AuditEvent NDJSON.
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import {
  CHECKPOINT_PUBLIC_KEY_FILE,
  checkpointKeyId,
  formatAuditEvent,
  loadCheckpointPublicKey,
  toAtnaMessage,
  verifyAuditChain,
  type AuditRow,
  type AuditVerifyResult,
} from '../audit/index.js';
import { toFhirAuditEvents } from '../audit/export/index.js';
import type { Config } from '../config/index.js';
import { parseDurationSeconds } from '../config/index.js';
import type { Store } from '../store/index.js';
import { action, cliConfig, CliExit, withStore, type GlobalOptions } from './context.js';

const POLL_MS = 500;
const PAGE = 1000;

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('verify and read the hash-chained audit log');

  audit
    .command('verify')
    .description('prove the audit chain and its signed checkpoints; exits 1 naming the first bad seq')
    .option('--public-key <file>', `checkpoint public key (default: <home>/${CHECKPOINT_PUBLIC_KEY_FILE})`)
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions & { publicKey?: string; json?: boolean }>();
        const config = cliConfig(opts);
        const keyFile = opts.publicKey ?? path.join(config.paths.home, CHECKPOINT_PUBLIC_KEY_FILE);
        // Without a key the chain is still checked; any checkpoint then counts as unknown.
        const keys: KeyObject[] = opts.publicKey !== undefined || existsSync(keyFile) ? [loadCheckpointPublicKey(keyFile)] : [];
        const result = await withStore(config, (store) => verifyAuditChain(store, keys));
        const keyIds = keys.map(checkpointKeyId);
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...result, keyIds })}\n`);
        else process.stdout.write(formatVerifySummary(result, keyIds, keyFile));
        if (!result.ok) {
          throw new CliExit(`radgate: audit chain broken at seq ${result.firstBadSeq} (${result.problem}): ${result.message}`, 1);
        }
      }),
    );

  audit
    .command('tail')
    .description('print recent audit events, one per line; -f follows new ones until Ctrl-C')
    .option('-n, --lines <n>', 'how many recent events to print', '20')
    .option('-f, --follow', 'keep printing new events as they are committed')
    .option('--json', 'print events as JSON lines')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions & { lines: string; follow?: boolean; json?: boolean }>();
        if (!/^\d+$/.test(opts.lines) || Number(opts.lines) > 10_000) throw new CliExit('radgate: -n expects a whole number up to 10000', 64);
        const config = cliConfig(opts);
        const stop = new AbortController();
        const onSigint = () => stop.abort();
        if (opts.follow) process.once('SIGINT', onSigint);
        try {
          await withStore(config, (store) =>
            tailAudit(store, { lines: Number(opts.lines), follow: opts.follow ?? false, json: opts.json ?? false, signal: stop.signal }),
          );
        } finally {
          process.off('SIGINT', onSigint);
        }
      }),
    );

  registerExport(audit);
}

export const EXPORT_FORMATS = ['jsonl', 'atna', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function registerExport(audit: Command): void {
  audit
    .command('export')
    .description('export events in a time range: --format jsonl (stored rows), atna (PS3.15 A.5 XML, one message per line) or fhir (R4 AuditEvent NDJSON, IHE BALP)')
    .requiredOption('--format <format>', 'jsonl | atna | fhir')
    .option('--since <time>', 'from this time, inclusive: 2026-11-01, 2026-11-01T08:00:00Z, or an age such as 24h or 7d')
    .option('--until <time>', 'up to this time, exclusive (same forms)')
    .option('--out <file>', 'write to this new file (mode 0600) instead of stdout')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions & { format: string; since?: string; until?: string; out?: string }>();
        if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new CliExit(`radgate: --format expects jsonl, atna or fhir, got "${opts.format.slice(0, 40)}"`, 64);
        const now = Date.now();
        const since = opts.since !== undefined ? parseTimeBound(opts.since, '--since', now) : undefined;
        const until = opts.until !== undefined ? parseTimeBound(opts.until, '--until', now) : undefined;
        if (since !== undefined && until !== undefined && since >= until) throw new CliExit(`radgate: --since (${since}) must be before --until (${until})`, 64);
        const config = cliConfig(opts);
        let out: Writable = process.stdout;
        if (opts.out !== undefined) {
          const file = createWriteStream(opts.out, { flags: 'wx', mode: 0o600 });
          await new Promise<void>((resolve, reject) => {
            file.once('open', () => resolve());
            file.once('error', (err) => reject(new CliExit(`radgate: --out ${opts.out}: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'the file exists (not overwritten)' : err.message}`, 1)));
          });
          out = file;
        }
        try {
          const r = await withStore(config, (store) => exportAudit(store, { format: opts.format as ExportFormat, ...(since ? { since } : {}), ...(until ? { until } : {}), out, source: exportSource(config, opts.format as ExportFormat) }));
          if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
          process.stderr.write(`radgate: exported ${r.events} events${r.events > 0 ? ` (seq ${r.firstSeq}..${r.lastSeq})` : ''} as ${r.records} ${opts.format} records${opts.out ? ` to ${opts.out}` : ''}\n`);
        } catch (err) {
          // A partial export must not look like a complete one.
          if (opts.out !== undefined) {
            out.destroy();
            rmSync(opts.out, { force: true });
          }
          throw err;
        }
      }),
    );
}

/**
 * A --since/--until value as an ISO instant: a date (UTC midnight), a date-time with a zone,
 * or an age ("24h", "7d") counted back from `now`. Throws a CliExit naming the flag otherwise.
 */
export function parseTimeBound(text: string, flag: string, now: number): string {
  const bad = (why: string) => new CliExit(`radgate: ${flag}: ${why} (expected 2026-11-01, 2026-11-01T08:00:00Z or an age like 24h)`, 64);
  const t = text.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(t)) return new Date(now - parseDurationSeconds(t)! * 1000).toISOString();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(t);
  if (!m) throw bad(`"${t.slice(0, 40)}" is not a date`);
  const [, y, mo, d, h, mi, sec] = m;
  if (h !== undefined && m[8] === undefined) throw bad(`"${t}" has no time zone (add Z or an offset such as +01:00)`);
  // The calendar fields must exist (Date.parse would roll 2026-02-30 over to March).
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) throw bad(`"${t}" is not a calendar date`);
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec ?? 0) > 59)) throw bad(`"${t}" is not a time of day`);
  const ms = Date.parse(h === undefined ? `${t}T00:00:00Z` : t);
  if (Number.isNaN(ms)) throw bad(`"${t}" is not a date`);
  return new Date(ms).toISOString();
}

function exportSource(config: Config, format: ExportFormat): { sourceId: string; siteId?: string } {
  const m = config.monitoring;
  const sourceId = (format === 'fhir' ? m.fhir.sourceId : undefined) ?? m.atna.sourceId ?? hostname();
  const siteId = (format === 'fhir' ? m.fhir.siteId : undefined) ?? m.atna.siteId;
  return { sourceId, ...(siteId ? { siteId } : {}) };
}

export interface ExportAuditOptions {
  format: ExportFormat;
  /** ISO instants: since inclusive, until exclusive. */
  since?: string;
  until?: string;
  out: Writable;
  source: { sourceId: string; siteId?: string };
}

/** Streams the range page by page in seq order (bounded memory, honouring back-pressure). */
export async function exportAudit(store: Pick<Store, 'audit'>, o: ExportAuditOptions): Promise<{ events: number; records: number; firstSeq?: number; lastSeq?: number }> {
  const render = (row: AuditRow): string[] => {
    if (o.format === 'jsonl') return [JSON.stringify(row)];
    if (o.format === 'atna') {
      const m = toAtnaMessage(row, o.source);
      return m ? [m.xml] : [];
    }
    return toFhirAuditEvents(row, o.source).map((r) => JSON.stringify(r));
  };
  let after = 0;
  let events = 0;
  let records = 0;
  let firstSeq: number | undefined;
  for (;;) {
    const rows = await store.audit.query({ afterSeq: after, order: 'asc', limit: PAGE, ...(o.since ? { sinceTime: o.since } : {}), ...(o.until ? { untilTime: o.until } : {}) });
    if (rows.length === 0) break;
    const lines: string[] = [];
    for (const row of rows) lines.push(...render(row));
    events += rows.length;
    records += lines.length;
    firstSeq ??= rows[0]!.seq;
    after = rows[rows.length - 1]!.seq;
    if (lines.length > 0 && !o.out.write(lines.join('\n') + '\n')) await new Promise<void>((resolve) => o.out.once('drain', resolve));
    if (rows.length < PAGE) break;
  }
  return { events, records, ...(firstSeq !== undefined ? { firstSeq, lastSeq: after } : {}) };
}

export interface TailOptions {
  lines: number;
  follow: boolean;
  json: boolean;
  /** Ends following. */
  signal?: AbortSignal;
  pollMs?: number;
  write?: (text: string) => void;
}

/** Prints the last `lines` events, then (when following) new ones every ~500 ms until aborted. */
export async function tailAudit(store: Pick<Store, 'audit'>, o: TailOptions): Promise<void> {
  const write = o.write ?? ((t: string) => void process.stdout.write(t));
  const show = (rows: readonly Parameters<typeof formatAuditEvent>[0][]) => {
    if (rows.length === 0) return;
    write(rows.map((r) => (o.json ? JSON.stringify(r) : formatAuditEvent(r))).join('\n') + '\n');
  };
  const recent = o.lines > 0 ? (await store.audit.query({ order: 'desc', limit: o.lines })).reverse() : [];
  show(recent);
  if (!o.follow) return;
  let last = recent.at(-1)?.seq ?? (await store.audit.head())?.seq ?? 0;
  while (!o.signal?.aborted) {
    const rows = await store.audit.query({ afterSeq: last, order: 'asc', limit: PAGE });
    show(rows);
    last = rows.at(-1)?.seq ?? last;
    if (rows.length < PAGE) await sleep(o.pollMs ?? POLL_MS, o.signal);
  }
}

export function formatVerifySummary(r: AuditVerifyResult, keyIds: readonly string[], keyFile: string): string {
  const lines = [
    r.ok ? 'audit chain OK' : `audit chain BROKEN at seq ${r.firstBadSeq}: ${r.problem}`,
    ...(r.message ? [`  ${r.message}`] : []),
    `  events verified:   ${r.events}${r.events > 0 ? ` (seq 1..${r.lastSeq})` : ''}`,
    `  head hash:         ${r.lastHash}`,
    `  checkpoints:       ${r.checkpoints} (${r.checkpointsMatched} matched${r.lastCheckpointSeq ? `, last at seq ${r.lastCheckpointSeq}` : ''})`,
    `  after last checkpoint: ${r.unanchored} events (a cut there is not detectable yet)`,
    `  checkpoint key:    ${keyIds.length ? `${keyIds.join(', ')} (${keyFile})` : `none (${keyFile} not found)`}`,
  ];
  return lines.join('\n') + '\n';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
