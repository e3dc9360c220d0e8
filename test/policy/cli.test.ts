// `radgate policy validate|test|explain` against the shipped directory and broken copies.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerPolicyCommands } from '../../src/cli/policy.js';

const POLICY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies');
let out = '';
let err = '';
const dirs: string[] = [];

beforeEach(() => {
  out = '';
  err = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function radgate(...args: string[]): Promise<number> {
  const program = new Command().name('radgate').option('-c, --config <file>').exitOverride();
  registerPolicyCommands(program);
  await program.parseAsync(['node', 'radgate', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return code;
}

async function brokenCopy(file: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'radgate-cli-'));
  dirs.push(dir);
  await cp(POLICY_DIR, dir, { recursive: true });
  await writeFile(path.join(dir, file), text);
  return dir;
}

describe('radgate policy', () => {
  it('validate prints OK with counts for the shipped set', async () => {
    expect(await radgate('policy', 'validate', '--dir', POLICY_DIR)).toBe(0);
    expect(out).toMatch(/^OK: \d+ policies \(\d+ permit, \d+ forbid\) in \d+ files, schema .*radgate\.cedarschema, version [0-9a-f]{12}\n$/);
  });

  it('validate prints file:line: message per error and exits 1', async () => {
    const dir = await brokenCopy('zz.cedar', '@id("a")\npermit (principal, action, resource)\nwhen { principal.nope };\n');
    expect(await radgate('policy', 'validate', '--dir', dir)).toBe(1);
    expect(err).toContain(`${path.join(dir, 'zz.cedar')}:3:8: for policy \`a\`, attribute \`nope\` on entity type \`Radgate::User\``);
    expect(err).toMatch(/radgate: 1 policy error\n$/);
  });

  it('test prints pass per case and the summary line', async () => {
    expect(await radgate('policy', 'test', '--dir', POLICY_DIR)).toBe(0);
    expect(out).toMatch(/^pass {2}clinician invokes break-glass/m);
    expect(out).toMatch(/\n(\d+) passed, 0 failed\n$/);
  });

  it('test exits 1 and names the failing case', async () => {
    const dir = await brokenCopy(
      'tests/zz-wrong.yaml',
      'cases:\n  - name: wrongly expected\n    principal: { uid: User::"x", attrs: { kind: vendor, org: o } }\n    action: tunnel.connect\n    resource: { uid: Target::"t", attrs: { kind: tcp } }\n    expect: allow\n',
    );
    expect(await radgate('policy', 'test', '--dir', dir)).toBe(1);
    expect(out).toMatch(/FAIL {2}wrongly expected \(.*zz-wrong\.yaml#1\): expected allow, got deny \[posture-missing, no-active-grant\]/);
    expect(out).toMatch(/\d+ passed, 1 failed\n$/);
  });

  it('test reports a malformed test file by file and case', async () => {
    const dir = await brokenCopy('tests/zz-bad.yaml', 'cases:\n  - name: no action\n    principal: { uid: User::"x" }\n    resource: { uid: Target::"t" }\n    expect: deny\n');
    expect(await radgate('policy', 'test', '--dir', dir)).toBe(1);
    expect(err).toMatch(/zz-bad\.yaml: case 1 "no action": action: /);
  });

  it('explain prints the decision and the determining policy with its file:line and text', async () => {
    const dir = await brokenCopy('x.json', '');
    const ctx = path.join(dir, 'ctx.json');
    const ents = path.join(dir, 'ents.json');
    await writeFile(ctx, JSON.stringify({ device: { id: 'd', managed: true, tier: 'high', stale: true } }));
    await writeFile(
      ents,
      JSON.stringify([
        { uid: 'User::"alice"', attrs: { kind: 'workforce', org: 'h', department: 'radiology' }, parents: ['Role::"clinician"'] },
        { uid: 'Study::"1.2"', attrs: { target: { type: 'Radgate::Target', id: 'p' }, department: 'radiology' }, parents: ['Target::"p"'] },
      ]),
    );
    await rm(path.join(dir, 'x.json'));
    const code = await radgate('policy', 'explain', '--dir', POLICY_DIR, '--principal', 'User::"alice"', '--action', 'dicomweb.query', '--resource', 'Study::"1.2"', '--context', ctx, '--entities', ents);
    expect(code).toBe(0);
    expect(out).toMatch(/^decision: deny\nreasons: posture-stale\n/);
    expect(out).toMatch(/posture-stale \(forbid\) .*posture\.cedar:\d+\n {4}@id\("posture-stale"\)/);
  });
});
