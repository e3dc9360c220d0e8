import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPolicyEngine } from './createPolicyEngine.js';
import { loadPolicySet } from './loadPolicySet.js';
import { createMemoryAuditSink } from './memoryAuditSink.js';
import { parsePolicySet } from './parsePolicySet.js';
import { PolicyInvalidError } from './PolicyInvalidError.js';

const POLICY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies');
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A copy of the shipped policy directory to break. */
async function copyOfShipped(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'radgate-policy-'));
  dirs.push(dir);
  await cp(POLICY_DIR, dir, { recursive: true });
  return dir;
}

async function loadError(dir: string): Promise<PolicyInvalidError> {
  const err = await loadPolicySet(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PolicyInvalidError);
  return err as PolicyInvalidError;
}

const SCHEMA = `namespace T { entity User { dept: String }; entity Doc; action "read" appliesTo { principal: User, resource: Doc }; }`;
const parse = (files: Record<string, string>, schema = SCHEMA) =>
  parsePolicySet({ source: 'mem', schema: { file: 'mem/t.cedarschema', text: schema }, policies: Object.entries(files).map(([file, text]) => ({ file, text })) });

describe('loadPolicySet', () => {
  it('loads the shipped set with an @id on every policy', async () => {
    const set = await loadPolicySet(POLICY_DIR);
    expect(set.namespace).toBe('Radgate');
    expect(set.policies.size).toBeGreaterThanOrEqual(20);
    for (const p of set.policies.values()) expect(p.annotations.id, `${p.file}:${p.line}`).toBe(p.id);
    const stale = set.policies.get('posture-stale');
    expect(stale).toMatchObject({ effect: 'forbid', reason: 'posture-stale', file: path.join(POLICY_DIR, 'posture.cedar') });
    expect((await readFile(stale!.file, 'utf8')).split('\n')[stale!.line - 1]).toBe('@id("posture-stale")');
  });

  it('reports a Cedar syntax error with file, line and column', async () => {
    const dir = await copyOfShipped();
    const file = path.join(dir, 'vendor.cedar');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('when { principal.kind == "vendor" };', 'when { principal.kind == };'));
    const err = await loadError(dir);
    expect(err.code).toBe('policy-invalid');
    const issue = err.issues[0]!;
    const expectedLine = text.split('\n').findIndex((l) => l.includes('when { principal.kind == "vendor" };')) + 1;
    expect(issue).toMatchObject({ file, line: expectedLine });
    expect(issue.message).toMatch(/unexpected token/);
    expect(err.message).toContain(`${file}:${expectedLine}:`);
  });

  it('reports a schema validation error with file, line, the policy id and Cedar message', async () => {
    const dir = await copyOfShipped();
    const file = path.join(dir, 'extra.cedar');
    await writeFile(file, '// a typo in an attribute name\n\n@id("typo")\npermit (principal, action, resource)\nwhen { principal.departmnt == "x" };\n');
    const err = await loadError(dir);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ file, line: 5, col: 8, policyId: 'typo' });
    expect(err.issues[0]!.message).toMatch(/for policy `typo`, attribute `departmnt`.*not found/);
  });

  it('reports a schema syntax error at its line in the schema file', async () => {
    const dir = await copyOfShipped();
    const file = path.join(dir, 'radgate.cedarschema');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('entity Broker;', 'entity Broker'));
    const err = await loadError(dir);
    expect(err.issues[0]!.file).toBe(file);
    const brokerLine = text.split('\n').findIndex((l) => l.includes('entity Broker;')) + 1;
    expect(err.issues[0]!.line).toBeGreaterThanOrEqual(brokerLine);
  });

  it('keeps the previously active set when a reload finds an error', async () => {
    const engine = createPolicyEngine({ audit: createMemoryAuditSink(), cacheTtlSeconds: 0, cacheMaxEntries: 0 });
    engine.activate(await loadPolicySet(POLICY_DIR));
    const before = engine.active!.version;
    const dir = await copyOfShipped();
    await writeFile(path.join(dir, 'broken.cedar'), 'permit (principal, action, resource) when { principal.nope };');
    await expect(loadPolicySet(dir).then((s) => engine.activate(s))).rejects.toBeInstanceOf(PolicyInvalidError);
    expect(engine.active!.version).toBe(before);
    const alice = { uid: { type: 'Radgate::User', id: 'a' }, attrs: { kind: 'workforce', org: 'x' }, parents: [{ type: 'Radgate::Role', id: 'policy-admin' }] };
    const change = { uid: { type: 'Radgate::PolicyChange', id: 'c' }, attrs: { author: { type: 'Radgate::User', id: 'b' } } };
    expect(engine.authorize(alice, 'policy.propose', change, {}).decision).toBe('allow');
    engine.close();
  });

  it('refuses a directory without exactly one schema file', async () => {
    const dir = await copyOfShipped();
    await rm(path.join(dir, 'radgate.cedarschema'));
    expect((await loadError(dir)).issues[0]!.message).toMatch(/exactly one \.cedarschema/);
  });
});

describe('parsePolicySet', () => {
  it('names policies by @id, else <file-stem>.<n> in file order', () => {
    const set = parse({ 'mem/access.cedar': 'permit (principal, action, resource);\n@id("named")\npermit (principal, action, resource);\nforbid (principal, action, resource) when { principal.dept == "x" };' });
    expect([...set.policies.keys()].sort()).toEqual(['access.1', 'access.3', 'named']);
    expect(set.policies.get('access.3')).toMatchObject({ effect: 'forbid', reason: 'access.3', line: 4 });
  });

  it('restores file order for more than ten unnamed policies (Cedar sorts policy10 before policy2)', () => {
    const text = Array.from({ length: 12 }, (_, i) => `permit (principal, action, resource) when { principal.dept == "d${i + 1}" };`).join('\n');
    const set = parse({ 'mem/many.cedar': text });
    for (let n = 1; n <= 12; n++) expect(set.policies.get(`many.${n}`)).toMatchObject({ line: n, text: expect.stringContaining(`"d${n}"`) });
  });

  it('rejects a duplicate @id across files, naming both places', () => {
    const p = '@id("same")\npermit (principal, action, resource);';
    expect(() => parse({ 'mem/a.cedar': p, 'mem/b.cedar': `\n${p}` })).toThrow(/mem\/b\.cedar:2:1: duplicate policy id "same" \(first at mem\/a\.cedar:1\)/);
  });

  it('rejects a malformed @reason code', () => {
    expect(() => parse({ 'mem/a.cedar': '@reason("Not A Code")\nforbid (principal, action, resource);' })).toThrow(/@reason must be a code/);
  });

  it('counts columns in characters after multi-byte text', () => {
    const err = (() => {
      try {
        parse({ 'mem/u.cedar': '// Zürich — Ünïcode\npermit (principal, action, resource) when { principal. == 1 };' });
      } catch (e) {
        return e as PolicyInvalidError;
      }
      return undefined;
    })();
    expect(err?.issues[0]).toMatchObject({ line: 2, col: 56 });
  });
});
