// A readable diff between two versions: per policy id (added, removed, changed with a line
// diff of its text, or moved to another file), then the schema and test files.
import { parsePolicySet } from '../parsePolicySet.js';
import type { LoadedPolicy } from '../types.js';
import { lineDiff, type DiffLine } from './lineDiff.js';
import { isTestFile, type VersionFiles } from './versionFiles.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface PolicyChangeEntry {
  id: string;
  change: ChangeKind;
  effect: 'permit' | 'forbid';
  /** File of the newer text (the older for removals). */
  file: string;
  lines: DiffLine[];
}

export interface FileChangeEntry {
  name: string;
  change: ChangeKind;
  lines: DiffLine[];
}

export interface VersionDiff {
  policies: PolicyChangeEntry[];
  /** The schema and test tables (policy files are covered per policy id). */
  files: FileChangeEntry[];
  /** Short form: `+ id`, `- id`, `~ id`. */
  summary: { added: string[]; removed: string[]; changed: string[]; files: string[] };
}

/** `from` undefined: everything in `to` is added (the first version). */
export function diffVersions(from: VersionFiles | undefined, to: VersionFiles): VersionDiff {
  const a = from ? policiesOf(from) : new Map<string, LoadedPolicy>();
  const b = policiesOf(to);
  const policies: PolicyChangeEntry[] = [];
  for (const [id, p] of b) {
    const old = a.get(id);
    if (!old) policies.push({ id, change: 'added', effect: p.effect, file: p.file, lines: lineDiff('', p.text) });
    else if (old.text !== p.text || old.file !== p.file) policies.push({ id, change: 'changed', effect: p.effect, file: p.file, lines: lineDiff(old.text, p.text) });
  }
  for (const [id, p] of a) if (!b.has(id)) policies.push({ id, change: 'removed', effect: p.effect, file: p.file, lines: lineDiff(p.text, '') });
  policies.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

  const files: FileChangeEntry[] = [];
  const other = (f: VersionFiles | undefined) => Object.keys(f ?? {}).filter((n) => n.endsWith('.cedarschema') || isTestFile(n));
  for (const name of [...new Set([...other(from), ...other(to)])].sort()) {
    const x = from?.[name];
    const y = to[name];
    if (x === y) continue;
    files.push({ name, change: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed', lines: lineDiff(x ?? '', y ?? '') });
  }
  return {
    policies,
    files,
    summary: {
      added: policies.filter((p) => p.change === 'added').map((p) => p.id),
      removed: policies.filter((p) => p.change === 'removed').map((p) => p.id),
      changed: policies.filter((p) => p.change === 'changed').map((p) => p.id),
      files: files.map((f) => f.name),
    },
  };
}

function policiesOf(files: VersionFiles): Map<string, LoadedPolicy> {
  const names = Object.keys(files).filter((n) => !isTestFile(n));
  const schema = names.find((n) => n.endsWith('.cedarschema'))!;
  const set = parsePolicySet({
    source: 'diff',
    schema: { file: schema, text: files[schema]! },
    policies: names.filter((n) => n.endsWith('.cedar')).map((n) => ({ file: n, text: files[n]! })),
  });
  return new Map(set.policies);
}
