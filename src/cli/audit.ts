// `radgate audit verify|tail`: prove the hash chain, and read recent events.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import {
  CHECKPOINT_PUBLIC_KEY_FILE,
  checkpointKeyId,
  formatAuditEvent,
  loadCheckpointPublicKey,
  verifyAuditChain,
  type AuditVerifyResult,
} from '../audit/index.js';
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
