// Builds the engine's PolicySet and the test cases from a version's files. The set's
// digest and version are the version id, so decisions are audited under the id people see.
import { parsePolicySet } from '../parsePolicySet.js';
import { parsePolicyTests, PolicyTestFileError, type PolicyTestCase } from '../loadPolicyTests.js';
import type { PolicySet } from '../types.js';
import { isTestFile, type VersionFiles } from './versionFiles.js';

/** Throws PolicyInvalidError (file:line:col issues) when the set does not validate. */
export function policySetFromFiles(id: string, files: VersionFiles): PolicySet {
  const names = Object.keys(files).filter((n) => !isTestFile(n));
  const schema = names.find((n) => n.endsWith('.cedarschema'))!;
  const set = parsePolicySet({
    source: `version ${id.slice(0, 12)}`,
    schema: { file: schema, text: files[schema]! },
    policies: names.filter((n) => n.endsWith('.cedar')).map((n) => ({ file: n, text: files[n]! })),
  });
  return Object.freeze({ ...set, digest: id, version: id.slice(0, 12) });
}

/** The version's own test tables; throws PolicyTestFileError naming the file and case. */
export function testsFromFiles(files: VersionFiles): PolicyTestCase[] {
  const out: PolicyTestCase[] = [];
  for (const name of Object.keys(files).sort()) if (isTestFile(name)) out.push(...parsePolicyTests(name, files[name]!));
  return out;
}

export { PolicyTestFileError };
