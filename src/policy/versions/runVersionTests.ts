// The test gate of a proposal: the deployment's policy tests (`<policy.dir>/tests`) plus
// the tests stored with the version; a version's table with the same name replaces the
// deployment's (a change may deliberately change an expectation, in review).
import path from 'node:path';
import { loadPolicyTests, type PolicyTestCase } from '../loadPolicyTests.js';
import { runPolicyTests } from '../runPolicyTests.js';
import type { PolicySet } from '../types.js';
import type { FailedTest } from './PolicyVersionError.js';
import { PolicyVersionError } from './PolicyVersionError.js';
import { testsFromFiles } from './policySetFromFiles.js';
import type { VersionFiles } from './versionFiles.js';

export interface VersionTestOutcome {
  passed: number;
  failed: FailedTest[];
}

export async function runVersionTests(set: PolicySet, files: VersionFiles, baselineTestsDir: string | undefined): Promise<VersionTestOutcome> {
  let own: PolicyTestCase[];
  try {
    own = testsFromFiles(files);
  } catch (err) {
    throw new PolicyVersionError('tests-failed', `policy tests: ${(err as Error).message}`, { failedTests: [{ name: '(file)', file: '', message: (err as Error).message }], cause: err });
  }
  const ownFiles = new Set(own.map((c) => c.file));
  let baseline: PolicyTestCase[] = [];
  if (baselineTestsDir) {
    try {
      baseline = await loadPolicyTests(baselineTestsDir);
    } catch (err) {
      // No baseline directory: only the version's tests gate it. A broken baseline is an error.
      if (!/cannot read test directory|no \*\.yaml/.test((err as Error).message)) throw err;
    }
  }
  const cases = [...baseline.filter((c) => !ownFiles.has(`tests/${path.basename(c.file)}`)), ...own];
  if (cases.length === 0) return { passed: 0, failed: [] };
  const summary = await runPolicyTests(set, cases);
  return {
    passed: summary.passed,
    failed: summary.results.filter((r) => !r.passed).map((r) => ({ name: r.case.name, file: `${path.basename(r.case.file)}#${r.case.index}`, message: r.message ?? 'failed' })),
  };
}
