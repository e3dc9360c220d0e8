// Reads policy test tables (`policies/tests/*.yaml`). A malformed file or case is an error
// naming the file, the case and the offending field: a test that cannot run never passes.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { RadgateError } from '../errors/index.js';
import { parseEntityUid } from './parseEntityUid.js';
import type { EntityRef } from './types.js';

export type UidSpec = string | EntityRef;

export interface EntitySpec {
  uid: UidSpec;
  attrs?: Record<string, unknown>;
  parents?: UidSpec[];
}

export interface PolicyTestCase {
  file: string;
  /** 1-based position in the file. */
  index: number;
  name: string;
  principal: EntitySpec;
  action: string;
  resource: EntitySpec;
  context: Record<string, unknown>;
  entities: EntitySpec[];
  expect: 'allow' | 'deny';
  /** When given, the decision's reasons must be exactly these (in any order). */
  reasons?: string[];
}

export class PolicyTestFileError extends RadgateError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super('bad-request', message);
    this.name = 'PolicyTestFileError';
  }
}

const uid = z.union([
  z.string().refine((s) => parseEntityUid(s, 'X') !== undefined, { message: 'expected an entity uid like User::"alice"' }),
  z.object({ type: z.string().min(1), id: z.string() }).strict(),
]);
const entity = z
  .object({
    uid,
    attrs: z.record(z.string(), z.unknown()).optional(),
    parents: z.array(uid).optional(),
  })
  .strict();
const testCase = z
  .object({
    name: z.string().min(1),
    principal: entity,
    action: z.string().min(1),
    resource: entity,
    context: z.record(z.string(), z.unknown()).default({}),
    entities: z.array(entity).default([]),
    expect: z.enum(['allow', 'deny']),
    reasons: z.array(z.string().min(1)).optional(),
  })
  .strict();
const testFile = z
  .object({
    /** Free-form anchors (`&alice`) for cases to reuse. */
    fixtures: z.unknown().optional(),
    cases: z.array(z.unknown()).min(1),
  })
  .strict();

/** Every `*.yaml`/`*.yml` in `dir`, in file-name order. */
export async function loadPolicyTests(dir: string): Promise<PolicyTestCase[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new PolicyTestFileError(`${dir}: cannot read test directory: ${(err as Error).message}`, dir);
  }
  if (names.length === 0) throw new PolicyTestFileError(`${dir}: no *.yaml policy test files`, dir);
  const out: PolicyTestCase[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    out.push(...parsePolicyTests(file, await readFile(file, 'utf8')));
  }
  return out;
}

/** Parses one test file's text. */
export function parsePolicyTests(file: string, text: string): PolicyTestCase[] {
  const doc = parseDocument(text, { merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0] ? `${e.linePos[0].line}:${e.linePos[0].col}` : '1:1';
    throw new PolicyTestFileError(`${file}:${at}: invalid YAML: ${e.message.split('\n')[0]}`, file);
  }
  const top = testFile.safeParse(doc.toJS({ maxAliasCount: 1000 }));
  if (!top.success) throw new PolicyTestFileError(`${file}: ${describe(top.error)} (expected {cases: [...]}, optional fixtures)`, file);
  return top.data.cases.map((raw, i) => {
    const parsed = testCase.safeParse(raw);
    if (!parsed.success) {
      const name = typeof (raw as { name?: unknown })?.name === 'string' ? ` "${(raw as { name: string }).name}"` : '';
      throw new PolicyTestFileError(`${file}: case ${i + 1}${name}: ${describe(parsed.error)}`, file);
    }
    return { file, index: i + 1, ...parsed.data };
  });
}

function describe(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : '(top level)';
      const msg = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : i.message;
      return `${where}: ${msg}`;
    })
    .join('; ');
}
