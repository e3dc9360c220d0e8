// The shipped policy set and its test tables, run through the real engine.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet, loadPolicyTests, parsePolicyTests, runPolicyTests, type PolicySet, type PolicyTestCase } from '../../src/policy/index.js';

const POLICY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies');
let set: PolicySet;
let cases: PolicyTestCase[];
beforeAll(async () => {
  set = await loadPolicySet(POLICY_DIR);
  cases = await loadPolicyTests(path.join(POLICY_DIR, 'tests'));
});

describe('shipped policies', () => {
  it('ship at least 20 cases, allows and denials alike', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => c.expect === 'deny').length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.expect === 'allow').length).toBeGreaterThanOrEqual(10);
  });

  it('pass every shipped test case', async () => {
    const summary = await runPolicyTests(set, cases);
    expect(summary.results.filter((r) => !r.passed).map((r) => `${r.case.name}: ${r.message}`)).toEqual([]);
    expect(summary.passed).toBe(cases.length);
  });

  it('exercise every forbid reason code the set can give', () => {
    const forbidReasons = new Set([...set.policies.values()].filter((p) => p.effect === 'forbid').map((p) => p.reason));
    const tested = new Set(cases.flatMap((c) => c.reasons ?? []));
    expect([...forbidReasons].filter((r) => !tested.has(r))).toEqual([]);
  });

  it('fail a case whose expectation is wrong, saying what was expected and got', async () => {
    const [wrong] = parsePolicyTests(
      'tests/wrong.yaml',
      `cases:
  - name: vendor without grant (deliberately wrong expectation)
    principal: { uid: User::"vic", attrs: { kind: vendor, org: acme } }
    action: tunnel.connect
    resource: { uid: Target::"ct-1", attrs: { kind: tcp } }
    context: { device: { id: d, managed: true, tier: high, stale: false } }
    expect: allow
`,
    );
    const summary = await runPolicyTests(set, [wrong!]);
    expect(summary).toMatchObject({ passed: 0, failed: 1 });
    expect(summary.results[0]!.message).toBe('expected allow, got deny [no-active-grant]');
  });

  it('fail a case whose decision matches but whose reasons do not', async () => {
    const [c] = parsePolicyTests(
      'tests/wrong.yaml',
      `cases:
  - name: wrong reason
    principal: { uid: User::"vic", attrs: { kind: vendor, org: acme } }
    action: tunnel.connect
    resource: { uid: Target::"ct-1", attrs: { kind: tcp } }
    context: { device: { id: d, managed: true, tier: high, stale: true } }
    expect: deny
    reasons: [posture-stale]
`,
    );
    const summary = await runPolicyTests(set, [c!]);
    expect(summary.failed).toBe(1);
    expect(summary.results[0]!.message).toMatch(/expected reasons \[posture-stale\], got deny \[/);
  });
});
