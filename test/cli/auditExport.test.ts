// `radgate audit export --format jsonl|atna|fhir --since … --until … [--out file]`: the built
// CLI against a real store; every format checked against its schema (FHIR R4 JSON schema,
// PS3.15 A.5.1 RELAX NG with xmllint); bad dates and ranges refused with exit 64 naming the
// problem; an existing --out file is never overwritten.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/audit/index.js';
import { parseTimeBound } from '../../src/cli/audit.js';
import { openStore } from '../../src/store/index.js';
import { validateFhirAuditEvent } from '../audit/export/fhirJsonSchema.js';
import { validateAtnaXml } from '../audit/export/helpers.js';
import { CLI, radgate } from '../helpers/cli.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

const IN_CI = process.env.CI === 'true';
const xmllint = spawnSync('xmllint', ['--version']).status === 0;
if (IN_CI && !xmllint) throw new Error('xmllint is required under CI (apt-get install libxml2-utils)');
if (IN_CI && !existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.build.json)`);

const home = tmpHome('radgate-auditexport-');
const env = { RADGATE_HOME: home };
const T0 = Date.UTC(2026, 10, 1);
const at = (h: number) => new Date(T0 + h * 3600_000);

beforeAll(async () => {
  const config = testConfig(home);
  const store = await openStore({ location: config.paths.store });
  const log = await openAuditLog({ store, home, checkpointEvery: 1_000_000, checkpointIntervalSeconds: 0, onError: () => undefined });
  for (let h = 0; h < 10; h++) {
    // seq h+1 at T0 + h hours: a retrieve with a patient, a login, or an allowed decision.
    const kind = h % 3;
    if (kind === 0) {
      await log.append({ type: 'gateway.http.request', actor: 'Radgate::User::"dr"', outcome: 'success', time: at(h), detail: { target: 't', action: 'dicomweb.retrieve', study: `1.2.3.${h}`, patientId: `P${h}`, source: '10.0.0.1', deviceId: 'd', reason: `<&"\u0000${h}>` } });
    } else if (kind === 1) {
      await log.append({ type: 'identity.login', actor: 'Radgate::User::"dr"', outcome: 'success', time: at(h), detail: { source: '10.0.0.1' } });
    } else {
      await log.append({ type: 'decision', actor: 'Radgate::User::"dr"', outcome: 'allow', time: at(h), detail: { action: 'dicomweb.retrieve' } });
    }
  }
  await log.close();
  await store.close();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
const since = at(3).toISOString();
const until = at(7).toISOString();

describe.skipIf(!existsSync(CLI) && !IN_CI)('radgate audit export', () => {
  it('writes the stored rows in [since, until) as JSON lines, and says what it exported', () => {
    const r = radgate(['audit', 'export', '--format', 'jsonl', '--since', since, '--until', until], env);
    expect(r.stderr).toContain('exported 4 events (seq 4..7) as 4 jsonl records');
    expect(r.status).toBe(0);
    const rows = lines(r.stdout).map((l) => JSON.parse(l) as { seq: number; hash: string; time: string });
    expect(rows.map((x) => x.seq)).toEqual([4, 5, 6, 7]);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes FHIR R4 AuditEvent NDJSON to a new 0600 file, schema-valid, skipping allowed decisions; refuses to overwrite it', () => {
    const out = path.join(home, 'export.ndjson');
    const r = radgate(['audit', 'export', '--format', 'fhir', '--out', out], env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    // 10 events: 4 retrieves, 3 logins, 3 allowed decisions (not exported).
    expect(r.stderr).toContain('exported 10 events (seq 1..10) as 7 fhir records');
    const resources = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(resources.length).toBe(7);
    for (const res of resources) expect(validateFhirAuditEvent(res)).toEqual([]);
    expect(resources.filter((x) => (x.meta as { profile?: string[] } | undefined)?.profile?.[0]?.endsWith('PatientRead')).length).toBe(4);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    writeFileSync(out, 'keep me');
    const again = radgate(['audit', 'export', '--format', 'fhir', '--out', out], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--out .*export\.ndjson: the file exists \(not overwritten\)/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });

  it.skipIf(!xmllint && !IN_CI)('writes one PS3.15 A.5 AuditMessage per line, each valid against the A.5.1 schema', () => {
    const r = radgate(['audit', 'export', '--format', 'atna', '--since', '2026-11-01', '--until', '2026-11-02'], env);
    expect(r.status).toBe(0);
    const msgs = lines(r.stdout);
    expect(msgs.length).toBe(7);
    msgs.forEach((xml, i) => expect(validateAtnaXml(xml, home, `m${i}.xml`)).toBe(''));
    expect(msgs[0]).toContain('csd-code="110104"');
  });

  it('removes its --out file when the export fails (a partial export never looks complete)', () => {
    const broken = tmpHome('radgate-auditexport-broken-');
    try {
      writeFileSync(path.join(broken, 'radgate.db'), 'this is not a database'.repeat(100));
      const out = path.join(broken, 'partial.ndjson');
      const r = radgate(['audit', 'export', '--format', 'fhir', '--out', out], { RADGATE_HOME: broken });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/^radgate: /);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('accepts an age: --since 100000d covers everything', () => {
    const r = radgate(['audit', 'export', '--format', 'jsonl', '--since', '100000d'], env);
    expect(r.status).toBe(0);
    expect(lines(r.stdout).length).toBe(10);
  });

  it.each([
    [['--since', '2026-02-30'], /--since: "2026-02-30" is not a calendar date/],
    [['--since', 'yesterday'], /--since: "yesterday" is not a date/],
    [['--until', '2026-11-01T10:00'], /--until: "2026-11-01T10:00" has no time zone/],
    [['--until', '2026-11-01T25:00:00Z'], /--until: .* is not a time of day/],
    [['--since', '2026-11-02', '--until', '2026-11-01'], /--since \(2026-11-02T00:00:00.000Z\) must be before --until \(2026-11-01T00:00:00.000Z\)/],
    [['--since', '2026-11-01', '--until', '2026-11-01'], /must be before/],
  ])('refuses %j with exit 64 naming the problem', (args, message) => {
    const r = radgate(['audit', 'export', '--format', 'jsonl', ...args], env);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('refuses an unknown format with exit 64', () => {
    const r = radgate(['audit', 'export', '--format', 'csv'], env);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('--format expects jsonl, atna or fhir, got "csv"');
  });
});

describe('parseTimeBound', () => {
  const now = Date.UTC(2026, 10, 23, 12);
  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T08:30:00Z', '2026-11-01T08:30:00.000Z'],
    ['2026-11-01T08:30+01:00', '2026-11-01T07:30:00.000Z'],
    ['2026-11-01T08:30:00.123456Z', '2026-11-01T08:30:00.123Z'],
    ['24h', '2026-11-22T12:00:00.000Z'],
    ['7d', '2026-11-16T12:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimeBound(text, '--since', now)).toBe(iso);
  });

  it.each(['', '2026-13-01', '2025-02-29', '2026-11-1', '1700000000', 'now', '2026-11-01T08:30:00+1', '-24h', '2026-11-01 08:30:00Z'])('refuses %j', (text) => {
    expect(() => parseTimeBound(text, '--since', now)).toThrow(/--since/);
  });
});
