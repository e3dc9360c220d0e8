import { describe, expect, it } from 'vitest';
import { parsePolicyTests, PolicyTestFileError } from './loadPolicyTests.js';

const ok = `
fixtures:
  alice: &alice { uid: User::"alice", attrs: { kind: workforce } }
cases:
  - name: first
    principal: *alice
    action: dicomweb.query
    resource: { uid: Study::"1" }
    expect: allow
`;

function failure(text: string): PolicyTestFileError {
  try {
    parsePolicyTests('tests/x.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyTestFileError);
    return err as PolicyTestFileError;
  }
  throw new Error('expected a PolicyTestFileError');
}

describe('parsePolicyTests', () => {
  it('reads cases with anchors and defaults', () => {
    const [c] = parsePolicyTests('tests/x.yaml', ok);
    expect(c).toMatchObject({ file: 'tests/x.yaml', index: 1, name: 'first', principal: { uid: 'User::"alice"' }, context: {}, entities: [], expect: 'allow' });
  });

  it('names file and line for YAML syntax errors', () => {
    expect(failure('cases:\n  - name: [unclosed\n').message).toMatch(/^tests\/x\.yaml:\d+:\d+: invalid YAML/);
  });

  it('names file, case number and case name for a missing field', () => {
    const text = ok.replace('    expect: allow\n', '');
    expect(failure(text).message).toBe('tests/x.yaml: case 1 "first": expect: Invalid option: expected one of "allow"|"deny"');
  });

  it('rejects unknown keys and malformed uids', () => {
    expect(failure(ok.replace('expect: allow', 'expect: allow\n    expected: deny')).message).toMatch(/case 1 "first": \(top level\): unknown key\(s\) expected/);
    expect(failure(ok.replace('Study::"1"', 'Study:1')).message).toMatch(/case 1 "first": resource\.uid/);
  });

  it('rejects a file without cases', () => {
    expect(failure('fixtures: {}\n').message).toMatch(/tests\/x\.yaml: cases/);
  });
});
