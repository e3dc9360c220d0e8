// Reads a policy directory (one *.cedarschema, any number of *.cedar) and validates it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { wrapError } from '../errors/index.js';
import { parsePolicySet, type SourceFile } from './parsePolicySet.js';
import { PolicyInvalidError } from './PolicyInvalidError.js';
import type { PolicySet } from './types.js';

/** Loads and validates `dir`; throws PolicyInvalidError (code `policy-invalid`) naming file and line. */
export async function loadPolicySet(dir: string): Promise<PolicySet> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name).sort();
  } catch (err) {
    throw new PolicyInvalidError([{ file: dir, line: 1, col: 1, message: `cannot read policy directory: ${(err as Error).message}` }], { cause: err });
  }
  const schemas = names.filter((n) => n.endsWith('.cedarschema'));
  if (schemas.length !== 1) {
    throw new PolicyInvalidError([{ file: dir, line: 1, col: 1, message: `expected exactly one .cedarschema file, found ${schemas.length}` }]);
  }
  const read = async (name: string): Promise<SourceFile> => {
    const file = path.join(dir, name);
    try {
      return { file, text: await readFile(file, 'utf8') };
    } catch (err) {
      throw wrapError('policy-invalid', `${file}: cannot read`, err);
    }
  };
  const schema = await read(schemas[0]!);
  const policies = await Promise.all(names.filter((n) => n.endsWith('.cedar')).map(read));
  return parsePolicySet({ source: dir, schema, policies });
}
