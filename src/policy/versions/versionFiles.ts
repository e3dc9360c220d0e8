// A policy version's files in canonical form, and its content address: SHA-256 over the
// sorted (name, text) pairs. Names are flat (`clinical.cedar`, one `*.cedarschema`) plus
// test tables under `tests/`; text is UTF-8 with LF line ends and no BOM.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PolicyVersionError } from './PolicyVersionError.js';

export type VersionFiles = Readonly<Record<string, string>>;

export const MAX_FILES = 64;
export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_TOTAL_BYTES = 1024 * 1024;

const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.(cedar|cedarschema)$/;
const TEST_NAME = /^tests\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.ya?ml$/;

export function isTestFile(name: string): boolean {
  return name.startsWith('tests/');
}

/** Validates names and sizes, normalises text; throws `files-invalid` naming the file. */
export function canonicalFiles(input: Readonly<Record<string, unknown>>): VersionFiles {
  const names = Object.keys(input);
  if (names.length === 0) throw bad('no files');
  if (names.length > MAX_FILES) throw bad(`at most ${MAX_FILES} files`);
  const out: Record<string, string> = {};
  let total = 0;
  for (const name of names.sort()) {
    if (!POLICY_NAME.test(name) && !TEST_NAME.test(name)) throw bad(`${JSON.stringify(name.slice(0, 80))}: expected NAME.cedar, NAME.cedarschema or tests/NAME.yaml`);
    const text = input[name];
    if (typeof text !== 'string') throw bad(`${name}: expected text`);
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_FILE_BYTES) throw bad(`${name}: larger than ${MAX_FILE_BYTES} bytes`);
    total += bytes;
    if (total > MAX_TOTAL_BYTES) throw bad(`files larger than ${MAX_TOTAL_BYTES} bytes in total`);
    // A NUL or lone surrogate would make the stored text differ from what was hashed.
    if (text.includes('\u0000') || /\p{Cs}/u.test(text)) throw bad(`${name}: not valid text`);
    out[name] = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  }
  const schemas = Object.keys(out).filter((n) => n.endsWith('.cedarschema'));
  if (schemas.length !== 1) throw bad(`expected exactly one .cedarschema file, found ${schemas.length}`);
  if (!Object.keys(out).some((n) => n.endsWith('.cedar'))) throw bad('no .cedar policy files');
  return Object.freeze(out);
}

/** The content address of canonical files (64 hex digits). */
export function versionId(files: VersionFiles): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(`${name}\0${files[name]}\0`);
  return h.digest('hex');
}

/**
 * Reads directories (their *.cedar, *.cedarschema and tests/*.yaml) and single files
 * (a .yaml file is a test table) into one file map.
 */
export async function readVersionFiles(paths: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const add = async (name: string, file: string) => {
    if (name in out) throw bad(`${name} given twice`);
    out[name] = await readFile(file, 'utf8');
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (err) {
      throw new PolicyVersionError('files-invalid', `${p}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
    if (!isDir) {
      const base = path.basename(p);
      await add(/\.ya?ml$/.test(base) ? `tests/${base}` : base, p);
      continue;
    }
    for (const e of await readdir(p, { withFileTypes: true })) {
      if (e.isFile() && /\.(cedar|cedarschema)$/.test(e.name)) await add(e.name, path.join(p, e.name));
    }
    const testsDir = path.join(p, 'tests');
    const tests = await readdir(testsDir, { withFileTypes: true }).catch(() => []);
    for (const e of tests) if (e.isFile() && /\.ya?ml$/.test(e.name)) await add(`tests/${e.name}`, path.join(testsDir, e.name));
  }
  return out;
}

export function parseStoredFiles(json: string): VersionFiles {
  const v: unknown = JSON.parse(json);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('stored policy files are not an object');
  return Object.freeze(v as Record<string, string>);
}

function bad(message: string): PolicyVersionError {
  return new PolicyVersionError('files-invalid', `policy files: ${message}`);
}
