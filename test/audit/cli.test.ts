import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatAuditEvent, type OpenedAuditLog } from '../../src/audit/index.js';
import { registerAuditCommands, tailAudit } from '../../src/cli/audit.js';
import { event, openLog, testEnv, type TestEnv } from './helpers.js';

let env: TestEnv;
let configFile: string;
let out: string;
let err: string;

beforeEach(async () => {
  env = await testEnv();
  configFile = path.join(env.dir, 'radgate.yaml');
  writeFileSync(configFile, `home: ${JSON.stringify(env.home)}\naudit:\n  checkpointEvery: 5\n`);
  const log = await openLog(env, { checkpointEvery: 5 });
  for (let i = 0; i < 12; i++) await log.append(event(i));
  await log.close();
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = undefined;
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await env.cleanup();
});

async function radgate(...args: string[]): Promise<void> {
  const program = new Command().option('--config <file>').exitOverride();
  registerAuditCommands(program);
  await program.parseAsync(['--config', configFile, ...args], { from: 'user' });
}

describe('radgate audit verify', () => {
  it('prints a summary and exits 0 on an intact chain', async () => {
    await radgate('audit', 'verify');
    expect(process.exitCode ?? 0).toBe(0);
    expect(out).toMatch(/^audit chain OK/);
    expect(out).toMatch(/events verified: +12 \(seq 1\.\.12\)/);
    expect(out).toMatch(/checkpoints: +3 \(3 matched, last at seq 12\)/);
  });

  it('exits 1 naming the first bad seq when an event was edited', async () => {
    env.raw().prepare(`UPDATE audit_events SET actor = 'Radgate::User::"mallory"' WHERE seq = 4`).run();
    await radgate('audit', 'verify');
    expect(process.exitCode).toBe(1);
    expect(out).toMatch(/BROKEN at seq 4: event-hash-mismatch/);
    expect(err).toMatch(/audit chain broken at seq 4 \(event-hash-mismatch\)/);
  });

  it('prints the summary as JSON with --json', async () => {
    await radgate('audit', 'verify', '--json');
    expect(JSON.parse(out)).toMatchObject({ ok: true, events: 12, lastSeq: 12, keyIds: [expect.stringMatching(/^[0-9a-f]{16}$/)] });
  });
});

describe('radgate audit tail', () => {
  it('prints the last N events in seq order, one line each', async () => {
    await radgate('audit', 'tail', '-n', '3');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^10 {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}gateway\.http\.request {2}Radgate::User::"u2" {2}allow {2}\{"i":9,/);
    expect(lines[2]).toMatch(/^12 /);
  });

  it('refuses a bad -n with a usage error', async () => {
    await radgate('audit', 'tail', '-n', 'lots');
    expect(process.exitCode).toBe(64);
  });

  it('follows: prints events committed after it started, until aborted', async () => {
    let printed = '';
    const stop = new AbortController();
    const done = tailAudit(env.store, { lines: 1, follow: true, json: false, signal: stop.signal, pollMs: 10, write: (t) => void (printed += t) });
    await vi.waitFor(() => expect(printed).toMatch(/^12 /));
    const log: OpenedAuditLog = await openLog(env);
    await log.append(event(100));
    await log.append(event(101));
    await vi.waitFor(() => expect(printed.trimEnd().split('\n').map((l) => l.split(' ')[0])).toEqual(['12', '13', '14']));
    stop.abort();
    await done;
    await log.close();
  });
});

describe('formatAuditEvent', () => {
  it('escapes control and bidi characters so a stored event cannot forge or hide lines', () => {
    const line = formatAuditEvent({ seq: 1, time: 't', type: 'x', actor: 'a\n2  forged\u001b[2K\u202e', outcome: 'allow', detail: '{}', prevHash: '', hash: '' });
    expect(line).toBe('1  t  x  a\\u000a2  forged\\u001b[2K\\u202e  allow  {}');
  });

  it('cuts a long detail at 400 characters', () => {
    const line = formatAuditEvent({ seq: 1, time: 't', type: 'x', actor: 'a', outcome: 'allow', detail: `{"s":"${'y'.repeat(1000)}"}`, prevHash: '', hash: '' });
    expect(line.endsWith('…')).toBe(true);
    expect(line.length).toBeLessThan(450);
  });
});
