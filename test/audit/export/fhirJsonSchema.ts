// A small JSON Schema (draft-06) validator for exactly the keywords the FHIR R4 AuditEvent
// schema fixture uses: $ref (local "#/definitions/…"), boolean schemas, type, properties,
// additionalProperties, required, enum, const, items and pattern. Any other keyword makes
// compile() throw, so the validator can never silently pass over a rule it does not check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Schema = boolean | { [k: string]: unknown };

export interface SchemaError {
  /** JSON pointer into the instance. */
  path: string;
  message: string;
}

export type Validate = (instance: unknown) => SchemaError[];

const CHECKED = new Set(['$ref', 'type', 'properties', 'additionalProperties', 'required', 'enum', 'const', 'items', 'pattern']);
const ANNOTATIONS = new Set(['$schema', '$comment', 'id', '$id', 'description', 'title', 'definitions']);

/** Compiles `root` (patterns, refs) and returns a validator; throws on a keyword it does not implement. */
export function compileSchema(root: Schema, maxErrors = 50): Validate {
  const patterns = new Map<string, RegExp>();
  const seen = new Set<object>();
  const check = (s: Schema, at: string): void => {
    if (typeof s === 'boolean') return;
    if (seen.has(s)) return;
    seen.add(s);
    for (const k of Object.keys(s)) {
      if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`schema ${at}: keyword "${k}" is not implemented by this validator`);
    }
    // Draft-06: siblings of $ref are ignored; refuse them rather than ignore a rule.
    if ('$ref' in s && Object.keys(s).some((k) => k !== '$ref' && CHECKED.has(k))) throw new Error(`schema ${at}: $ref with sibling keywords`);
    if (typeof s.pattern === 'string' && !patterns.has(s.pattern)) patterns.set(s.pattern, new RegExp(s.pattern, 'u'));
    if (typeof s.$ref === 'string') check(resolve(root, s.$ref), s.$ref);
    for (const [k, v] of Object.entries((s.properties as Record<string, Schema>) ?? {})) check(v, `${at}/properties/${k}`);
    for (const [k, v] of Object.entries((s.definitions as Record<string, Schema>) ?? {})) check(v, `${at}/definitions/${k}`);
    if (s.additionalProperties !== undefined) check(s.additionalProperties as Schema, `${at}/additionalProperties`);
    if (Array.isArray(s.items)) (s.items as Schema[]).forEach((it, i) => check(it, `${at}/items/${i}`));
    else if (s.items !== undefined) check(s.items as Schema, `${at}/items`);
  };
  check(root, '#');

  return (instance) => {
    const errors: SchemaError[] = [];
    const fail = (p: string, message: string) => {
      if (errors.length < maxErrors) errors.push({ path: p || '/', message });
    };
    const validate = (s: Schema, v: unknown, p: string): void => {
      if (s === true) return;
      if (s === false) return fail(p, 'no value is allowed here');
      if (typeof s.$ref === 'string') return validate(resolve(root, s.$ref), v, p);
      if (s.type !== undefined) {
        const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
        if (!types.some((t) => isType(v, t))) return fail(p, `expected ${types.join(' or ')}, got ${typeName(v)}`);
      }
      if (s.const !== undefined && !deepEqual(s.const, v)) fail(p, `expected ${JSON.stringify(s.const)}`);
      if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) fail(p, `expected one of ${JSON.stringify(s.enum)}`);
      if (typeof s.pattern === 'string' && typeof v === 'string' && !patterns.get(s.pattern)!.test(v)) fail(p, `does not match ${s.pattern}`);
      if (isObject(v)) {
        const props = (s.properties as Record<string, Schema> | undefined) ?? {};
        for (const r of (s.required as string[] | undefined) ?? []) if (!Object.hasOwn(v, r)) fail(`${p}/${esc(r)}`, 'is required');
        for (const [k, val] of Object.entries(v)) {
          if (Object.hasOwn(props, k)) validate(props[k]!, val, `${p}/${esc(k)}`);
          else if (s.additionalProperties !== undefined) {
            if (s.additionalProperties === false) fail(`${p}/${esc(k)}`, 'is not allowed (additionalProperties: false)');
            else validate(s.additionalProperties as Schema, val, `${p}/${esc(k)}`);
          }
        }
      }
      if (Array.isArray(v) && s.items !== undefined) {
        if (Array.isArray(s.items)) (s.items as Schema[]).forEach((it, i) => i < v.length && validate(it, v[i], `${p}/${i}`));
        else v.forEach((item, i) => validate(s.items as Schema, item, `${p}/${i}`));
      }
    };
    validate(root, instance, '');
    return errors;
  };
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`$ref "${ref}": only local JSON pointers are implemented`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !Object.hasOwn(node, key)) throw new Error(`$ref "${ref}" does not resolve`);
    node = node[key];
  }
  if (typeof node !== 'boolean' && !isObject(node)) throw new Error(`$ref "${ref}" is not a schema`);
  return node as Schema;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isType(v: unknown, t: string): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    case 'null':
      return v === null;
    default:
      throw new Error(`type "${t}" is not a JSON Schema type`);
  }
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function esc(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

let auditEventValidator: Validate | undefined;

/**
 * The validator for the FHIR R4 AuditEvent schema fixture (fixtures/fhir-r4-auditevent.schema.json),
 * plus the one rule the FHIR schema leaves to the JSON format spec: a resource is a JSON
 * object (its definitions carry no `type: object`, so by the schema alone `[]` or `null` pass).
 */
export function validateFhirAuditEvent(resource: unknown): SchemaError[] {
  if (!isObject(resource)) return [{ path: '/', message: `a FHIR resource is a JSON object, got ${typeName(resource)}` }];
  if (!auditEventValidator) {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fhir-r4-auditevent.schema.json');
    auditEventValidator = compileSchema(JSON.parse(readFileSync(file, 'utf8')) as Schema);
  }
  return auditEventValidator(resource);
}
