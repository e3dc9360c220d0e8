// Compiles the Cedar schema into the request model the engine enforces itself: per action
// its uid, group ancestry, allowed principal/resource types and a context codec; per
// entity type its attribute codec and allowed parents.
//
// Why not let Cedar do it: passing the preparsed schema to statefulIsAuthorized clones
// the whole schema and rebuilds its action entities on every call (~250 µs with radgate's
// schema). Instead requests are checked here, against the same schema, and converted to
// schema-free Cedar JSON (`{__entity}` for entity references, `{__extn}` for ipaddr & co.).
// Anything that does not conform is refused before Cedar sees it: a deny, never a guess.
import { isIP } from 'node:net';
import type { EntityJson } from './cedar.js';
import { freezeDeep } from './freezeInput.js';
import type { EntityDescription } from './types.js';

export interface Codec {
  /**
   * undefined when `v` conforms, else a message naming the path. A conforming value is
   * left deep-frozen (one traversal): decided inputs must not change afterwards.
   */
  check(v: unknown): string | undefined;
  /** Schema-free Cedar JSON for a conforming `v` (the same object when nothing changes). */
  convert(v: unknown): unknown;
}

export interface ActionModel {
  name: string;
  uid: { type: string; id: string };
  principalTypes: ReadonlySet<string>;
  resourceTypes: ReadonlySet<string>;
  context: Codec;
  /** Every action group this action is in, transitively. */
  groups: ReadonlySet<string>;
  /** The action entity with all its groups as direct parents, for `action in` checks. */
  entity: EntityJson;
}

export interface EntityTypeModel {
  name: string;
  memberOf: ReadonlySet<string>;
  attrs: Codec;
  enumIds: ReadonlySet<string> | undefined;
}

export interface RequestModel {
  namespace: string;
  actions: ReadonlyMap<string, ActionModel>;
  entityTypes: ReadonlyMap<string, EntityTypeModel>;
}

type SchemaType = {
  type: string;
  name?: string;
  element?: SchemaType;
  attributes?: Record<string, SchemaType & { required?: boolean }>;
  additionalAttributes?: boolean;
};

interface NamespaceJson {
  commonTypes?: Record<string, SchemaType>;
  entityTypes?: Record<string, { memberOfTypes?: string[]; shape?: SchemaType; enum?: string[] }>;
  actions?: Record<string, { appliesTo?: { principalTypes?: string[]; resourceTypes?: string[]; context?: SchemaType }; memberOf?: { id: string; type?: string }[] }>;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Extension type → the Cedar constructor that reads its string form. */
const EXTENSIONS: Record<string, string> = { ipaddr: 'ip', decimal: 'decimal', datetime: 'datetime', duration: 'duration' };
const identity = (v: unknown): unknown => v;

interface Env {
  namespace: string;
  common: Record<string, SchemaType>;
}

export function compileRequestModel(schemaJson: unknown, namespace: string): RequestModel {
  const ns = (schemaJson as Record<string, NamespaceJson>)[namespace];
  if (!ns) throw new Error(`namespace ${namespace} missing from schema`);
  const common = ns.commonTypes ?? {};
  const q = (n: string) => (n.includes('::') ? n : `${namespace}::${n}`);

  const entityTypes = new Map<string, EntityTypeModel>();
  for (const [short, def] of Object.entries(ns.entityTypes ?? {})) {
    const name = q(short);
    const shape = def.shape ?? { type: 'Record', attributes: {} };
    entityTypes.set(name, {
      name,
      memberOf: new Set((def.memberOfTypes ?? []).map(q)),
      attrs: codec(shape, `${name}`, { namespace, common }, 0),
      enumIds: def.enum ? new Set(def.enum) : undefined,
    });
  }

  const actionType = `${namespace}::Action`;
  const defs = ns.actions ?? {};
  const groupsOf = (name: string, into = new Set<string>()): Set<string> => {
    for (const m of defs[name]?.memberOf ?? []) {
      if ((m.type ? q(m.type) : actionType) !== actionType || into.has(m.id)) continue;
      into.add(m.id);
      groupsOf(m.id, into);
    }
    return into;
  };
  const env: Env = { namespace, common };
  const actions = new Map<string, ActionModel>();
  for (const [name, def] of Object.entries(defs)) {
    const applies = def.appliesTo;
    if (!applies?.principalTypes?.length || !applies.resourceTypes?.length) continue; // a group
    const groups = groupsOf(name);
    actions.set(name, {
      name,
      uid: { type: actionType, id: name },
      principalTypes: new Set(applies.principalTypes.map(q)),
      resourceTypes: new Set(applies.resourceTypes.map(q)),
      context: codec(applies.context ?? { type: 'Record', attributes: {} }, 'context', env, 0),
      groups,
      entity: { uid: { type: actionType, id: name }, attrs: {}, parents: [...groups].map((id) => ({ type: actionType, id })) },
    });
  }
  return { namespace, actions, entityTypes };
}

/**
 * Checks one entity against the model and returns its schema-free Cedar JSON, keeping only
 * the attributes in `keep` (those some policy reads); throws on nonconformance.
 */
export function encodeEntity(model: RequestModel, e: EntityDescription, role: string, keep?: ReadonlySet<string>): EntityJson {
  const uid = e?.uid;
  if (!uid || typeof uid.type !== 'string' || !isCedarString(uid.id)) throw new Error(`${role}: expected a uid {type, id}`);
  const t = model.entityTypes.get(uid.type);
  if (!t) throw new Error(`${role}: entity type ${uid.type} is not in the schema`);
  if (t.enumIds && !t.enumIds.has(uid.id)) throw new Error(`${role}: ${uid.type} has no member "${uid.id}"`);
  const attrs = e.attrs ?? {};
  const bad = t.attrs.check(attrs);
  if (bad) throw new Error(`${role} ${uid.type}::"${uid.id}": ${bad}`);
  const parents = e.parents ?? [];
  for (const p of parents) {
    if (!p || !t.memberOf.has(p.type) || !isCedarString(p.id)) throw new Error(`${role} ${uid.type}::"${uid.id}": a ${uid.type} cannot be in ${p?.type ?? 'that'}`);
  }
  let kept: Record<string, unknown> = attrs;
  if (keep) {
    kept = {};
    for (const k in attrs) if (keep.has(k)) kept[k] = attrs[k];
  }
  return { uid: { type: uid.type, id: uid.id }, attrs: t.attrs.convert(kept) as EntityJson['attrs'], parents: parents.map((p) => ({ type: p.type, id: p.id })) };
}

function isCedarString(v: unknown): v is string {
  return typeof v === 'string' && !LONE_SURROGATE.test(v);
}

function codec(t: SchemaType, where: string, env: Env, depth: number): Codec {
  if (depth > 32) throw new Error(`schema type nesting too deep at ${where}`);
  switch (t.type) {
    case 'String':
      // Cedar's JSON reader throws on lone surrogates; refuse them here so cache hits agree.
      return { check: (v) => (isCedarString(v) ? undefined : `${where}: expected a string`), convert: identity };
    case 'Long':
      return { check: (v) => (Number.isSafeInteger(v) ? undefined : `${where}: expected an integer`), convert: identity };
    case 'Bool':
      return { check: (v) => (typeof v === 'boolean' ? undefined : `${where}: expected a boolean`), convert: identity };
    case 'Set': {
      const el = codec(t.element ?? { type: '?' }, `${where}[]`, env, depth + 1);
      return {
        check: (v) => {
          if (!Array.isArray(v)) return `${where}: expected a list`;
          for (const x of v) {
            const bad = el.check(x);
            if (bad) return bad;
          }
          Object.freeze(v);
          return undefined;
        },
        convert: el.convert === identity ? identity : (v) => (v as unknown[]).map(el.convert),
      };
    }
    case 'Record': {
      const attrs = Object.entries(t.attributes ?? {}).map(([k, a]) => ({
        k,
        required: a.required !== false,
        codec: codec(a, `${where}.${k}`, env, depth + 1),
      }));
      const known = new Set(attrs.map((a) => a.k));
      const open = t.additionalAttributes === true;
      const converting = attrs.filter((a) => a.codec.convert !== identity);
      return {
        check: (v) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${where}: expected a record`;
          const r = v as Record<string, unknown>;
          for (const a of attrs) {
            const x = r[a.k];
            if (x === undefined) {
              if (a.required) return `${where}.${a.k}: missing`;
              continue;
            }
            const bad = a.codec.check(x);
            if (bad) return bad;
          }
          for (const k in r) {
            if (known.has(k) || r[k] === undefined) continue;
            if (!open) return `${where}.${k}: not in the schema`;
            freezeDeep(r[k]);
          }
          Object.freeze(r);
          return undefined;
        },
        convert:
          converting.length === 0
            ? identity
            : (v) => {
                const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
                for (const a of converting) if (out[a.k] !== undefined) out[a.k] = a.codec.convert(out[a.k]);
                return out;
              },
      };
    }
    case 'Entity': {
      const name = t.name ?? '';
      return {
        check: (v) => {
          const ref = v !== null && typeof v === 'object' && '__entity' in v ? (v as { __entity: unknown }).__entity : v;
          if (typeof ref !== 'object' || ref === null) return `${where}: expected an entity reference`;
          const { type, id } = ref as { type?: unknown; id?: unknown };
          if (type !== name || !isCedarString(id)) return `${where}: expected a ${name} reference`;
          return undefined;
        },
        convert: (v) => {
          const ref = (v !== null && typeof v === 'object' && '__entity' in v ? (v as { __entity: unknown }).__entity : v) as { type: string; id: string };
          return { __entity: { type: ref.type, id: ref.id } };
        },
      };
    }
    case 'Extension':
      return extension(t.name ?? '', where);
    default: {
      if (t.type in EXTENSIONS) return extension(t.type, where);
      const { namespace, common } = env;
      const short = t.type.startsWith(`${namespace}::`) ? t.type.slice(namespace.length + 2) : t.type;
      const ref = common[short] ?? common[t.type];
      if (!ref) throw new Error(`unsupported schema type "${t.type}" at ${where}`);
      return codec(ref, where, env, depth + 1);
    }
  }
}

/**
 * Extension values arrive as strings (`"10.0.0.1"`) or `{__extn: {fn, arg}}`. ipaddr is
 * checked here as Cedar reads it (address or CIDR; no zone ids, no embedded IPv4 in IPv6);
 * the others only as strings, and Cedar rejects bad syntax in what the policies read.
 */
function extension(name: string, where: string): Codec {
  const fn = EXTENSIONS[name];
  if (!fn) throw new Error(`unsupported extension type "${name}" at ${where}`);
  const valid = name === 'ipaddr' ? isCedarIp : isCedarString;
  return {
    check: (v) => {
      const arg = typeof v === 'object' && v !== null && '__extn' in v ? extnArg(v, fn) : v;
      return valid(arg) ? undefined : `${where}: expected a ${name} value`;
    },
    convert: (v) => (typeof v === 'string' ? { __extn: { fn, arg: v } } : v),
  };
}

function extnArg(v: object, fn: string): unknown {
  const e = (v as { __extn?: { fn?: unknown; arg?: unknown } }).__extn;
  return e?.fn === fn ? e.arg : undefined;
}

function isCedarIp(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const [addr = '', prefix, extra] = v.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined || addr.includes('%') || (family === 6 && addr.includes('.'))) return false;
  if (prefix === undefined) return true;
  return /^(0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
