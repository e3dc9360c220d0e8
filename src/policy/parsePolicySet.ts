// Turns a schema and .cedar sources into a validated PolicySet, or a PolicyInvalidError
// listing every syntax and schema problem at file:line:col. Pure: no I/O.
import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  checkParsePolicySet,
  checkParseSchema,
  policySetTextToParts,
  policyToJson,
  schemaToJsonWithResolvedTypes,
  validate,
  type DetailedError,
} from './cedar.js';
import { PolicyInvalidError } from './PolicyInvalidError.js';
import { positionOfIndex, sourcePositions } from './sourcePosition.js';
import type { LoadedPolicy, PolicyIssue, PolicySet } from './types.js';

export interface SourceFile {
  file: string;
  text: string;
}

export interface PolicySources {
  /** Where the sources came from (a directory), for messages. */
  source: string;
  schema: SourceFile;
  policies: readonly SourceFile[];
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const REASON_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export function parsePolicySet(sources: PolicySources): PolicySet {
  const issues: PolicyIssue[] = [];
  const warnings: PolicyIssue[] = [];
  const { schema } = sources;

  const schemaAnswer = checkParseSchema(schema.text);
  let schemaJson: Record<string, unknown> | undefined;
  if (schemaAnswer.type === 'failure') {
    issues.push(...schemaAnswer.errors.flatMap((e) => toIssues(schema, e)));
  } else {
    const resolved = schemaToJsonWithResolvedTypes(schema.text);
    if (resolved.type === 'failure') issues.push(...resolved.errors.flatMap((e) => toIssues(schema, e)));
    else schemaJson = resolved.json as Record<string, unknown>;
  }
  const namespaces = schemaJson ? Object.keys(schemaJson) : [];
  if (schemaJson && (namespaces.length !== 1 || namespaces[0] === '')) {
    issues.push({ file: schema.file, line: 1, col: 1, message: `expected exactly one named namespace, found ${namespaces.length}` });
  }
  if (sources.policies.length === 0) {
    issues.push({ file: sources.source, line: 1, col: 1, message: 'no .cedar policy files' });
  }

  const policies = new Map<string, LoadedPolicy>();
  for (const src of sources.policies) {
    const parsed = parseFile(src, issues);
    if (!parsed) continue;
    if (schemaJson) validateFile(src, schema.text, parsed, issues, warnings);
    for (const p of parsed) {
      const first = policies.get(p.id);
      if (first) {
        issues.push({ file: p.file, line: p.line, col: p.col, policyId: p.id, message: `duplicate policy id "${p.id}" (first at ${first.file}:${first.line})` });
      } else policies.set(p.id, p);
    }
  }
  if (issues.length > 0 || !schemaJson) throw new PolicyInvalidError(issues);

  const hash = createHash('sha256');
  for (const f of [schema, ...[...sources.policies].sort((a, b) => cmp(path.basename(a.file), path.basename(b.file)))]) {
    hash.update(`${path.basename(f.file)}\0${f.text}\0`);
  }
  const digest = hash.digest('hex');
  return Object.freeze({
    source: sources.source,
    namespace: namespaces[0]!,
    schemaFile: schema.file,
    schemaText: schema.text,
    schemaJson,
    policies,
    files: sources.policies.map((p) => p.file),
    digest,
    version: digest.slice(0, 12),
    warnings,
  });
}

/** Splits one file into policies (source order) with ids, or records its syntax errors. */
function parseFile(src: SourceFile, issues: PolicyIssue[]): LoadedPolicy[] | undefined {
  const check = checkParsePolicySet({ staticPolicies: src.text });
  if (check.type === 'failure') {
    issues.push(...check.errors.flatMap((e) => toIssues(src, e)));
    return undefined;
  }
  const parts = policySetTextToParts(src.text);
  if (parts.type === 'failure') {
    issues.push(...parts.errors.flatMap((e) => toIssues(src, e)));
    return undefined;
  }
  if (parts.policy_templates.length > 0) {
    issues.push({ file: src.file, line: 1, col: 1, message: 'policy templates are not supported: grants and posture are context data' });
    return undefined;
  }
  const stem = path.basename(src.file).replace(/\.cedar$/, '');
  const out: LoadedPolicy[] = [];
  let cursor = 0;
  for (const [n, text] of sourceOrder(parts.policies).entries()) {
    const index = locate(src.text, text, cursor);
    if (index >= 0) cursor = index + text.length;
    const { line, col } = index >= 0 ? positionOfIndex(src.text, index) : { line: 1, col: 1 };
    const at = { file: src.file, line, col };
    const json = policyToJson(text);
    if (json.type === 'failure') {
      issues.push(...json.errors.flatMap((e) => toIssues(src, e)));
      continue;
    }
    const annotations = (json.json.annotations ?? {}) as Record<string, string | null>;
    const id = annotations.id ?? `${stem}.${n + 1}`;
    if (!ID_PATTERN.test(id)) issues.push({ ...at, message: `@id "${id}" must match ${ID_PATTERN.source}` });
    // A forbid's reason code: its @reason, else its id.
    const reason = 'reason' in annotations ? annotations.reason : id;
    if ('reason' in annotations && (reason === null || reason === undefined || !REASON_PATTERN.test(reason))) {
      issues.push({ ...at, policyId: id, message: `@reason must be a code matching ${REASON_PATTERN.source}` });
    }
    out.push({ id, effect: json.json.effect, reason: reason ?? id, ...at, text, annotations, json: json.json });
  }
  return out;
}

/** Strict validation against the schema; Cedar's `policyN` ids are mapped to ours. */
function validateFile(src: SourceFile, schemaText: string, parsed: readonly LoadedPolicy[], issues: PolicyIssue[], warnings: PolicyIssue[]): void {
  const answer = validate({ schema: schemaText, policies: { staticPolicies: src.text }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') {
    issues.push(...answer.errors.flatMap((e) => toIssues(src, e)));
    return;
  }
  const ours = (cedarId: string) => parsed[Number(/^policy(\d+)$/.exec(cedarId)?.[1] ?? NaN)];
  const map = (list: typeof answer.validationErrors, into: PolicyIssue[]) => {
    for (const v of list) {
      const p = ours(v.policyId);
      const message = p ? v.error.message.replaceAll(`\`${v.policyId}\``, `\`${p.id}\``) : v.error.message;
      const fallback = p ? { line: p.line, col: p.col } : undefined;
      into.push(...toIssues(src, { ...v.error, message }, fallback).map((i) => (p ? { ...i, policyId: p.id } : i)));
    }
  };
  map(answer.validationErrors, issues);
  map(answer.validationWarnings, warnings);
  for (const w of answer.otherWarnings) warnings.push(...toIssues(src, w));
}

function toIssues(src: SourceFile, err: DetailedError, fallback?: { line: number; col: number }): PolicyIssue[] {
  const pos = sourcePositions(src.text);
  const loc = err.sourceLocations?.[0];
  const at = loc ? pos(loc.start) : (fallback ?? { line: 1, col: 1 });
  let message = err.message;
  if (loc?.label) message += `: ${loc.label}`;
  if (err.help) message += ` (help: ${err.help})`;
  const out: PolicyIssue[] = [{ file: src.file, ...at, message }];
  for (const r of err.related ?? []) out.push(...toIssues(src, r, at));
  return out;
}

/** policySetTextToParts sorts by Cedar's ids (`policy0`, `policy1`, `policy10`, …); restore file order. */
function sourceOrder(parts: readonly string[]): string[] {
  const ids = parts.map((_, i) => `policy${i}`);
  const sorted = [...ids].sort(cmp);
  return ids.map((id) => parts[sorted.indexOf(id)]!);
}

/** Index of a policy's text at or after `from`, skipping copies inside `//` comments. */
function locate(text: string, needle: string, from: number): number {
  for (let i = text.indexOf(needle, from); i >= 0; i = text.indexOf(needle, i + 1)) {
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    if (!text.slice(lineStart, i).includes('//')) return i;
  }
  return from > 0 ? locate(text, needle, 0) : -1;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
