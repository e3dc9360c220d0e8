// What a group of policies can observe of a request, computed once per policy set:
// the decision cache key of a context, the pruned context and entity attributes sent to
// Cedar (each field costs ~4 µs to cross into wasm), both from the same analysis.
//
// Every policy is scanned for uses of `context`. Each maximal access chain
// (`context.auth.ageSeconds`) is classified by how it is used:
//   - compared with an integer literal (`<= 300`, `> 0`, `>= 80`): the key holds the
//     comparison results, so ageSeconds 12 and 250 share an entry but 301 does not;
//   - tested with `has`: the key holds presence;
//   - anything else (`==` a string, `in`, method calls, the whole record): the exact value.
// Paths no policy mentions are left out (device.id, postureAgeSeconds, grant.id), so
// time-varying numbers do not defeat the cache. An unknown expression shape makes the
// whole context part of the key. Entity references and extension values are opaque:
// reading stops there and keys their exact JSON. Two validated contexts with equal keys
// therefore make every condition evaluate identically, and the pruned context keeps
// every value a condition reads.

type Expr = Record<string, unknown>;
type CmpOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

const CMP = new Set<string>(['<', '<=', '>', '>=', '==', '!=']);
const FLIP: Record<CmpOp, CmpOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
const BINARY = new Set(['==', '!=', 'in', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', 'contains', 'containsAll', 'containsAny', 'getTag', 'hasTag']);
const UNARY = new Set(['!', 'neg', 'isEmpty']);

interface PathUse {
  path: string[];
  exact: boolean;
  has: boolean;
  cmps: { op: CmpOp; n: number }[];
}

export interface ContextView {
  /** Cache-key text for a (validated) context. */
  key(context: unknown): string;
  /** The context reduced to what the policies can read. */
  prune(context: unknown): unknown;
  /** Attribute names any policy reads from any entity (undefined: keep all). */
  entityAttrs: ReadonlySet<string> | undefined;
}

export function compileContextView(policyJsons: readonly unknown[]): ContextView {
  const { whole, uses, attrs } = analyse(policyJsons);
  if (whole) return { key: (ctx) => `*${JSON.stringify(ctx)}`, prune: (ctx) => ctx, entityAttrs: attrs };

  // A path keyed exactly makes every use below it redundant.
  const all = [...uses.values()].sort((a, b) => (a.path.join('.') < b.path.join('.') ? -1 : 1));
  const exactPrefixes = all.filter((u) => u.exact).map((u) => u.path);
  const kept = all.filter((u) => !exactPrefixes.some((p) => p !== u.path && isPrefix(p, u.path)));
  const keys = keyTree(kept);
  const tree = pruneTree(kept);
  return {
    key: (ctx) => keyOf(keys, ctx),
    prune: (ctx) => prune(tree, ctx),
    entityAttrs: attrs,
  };
}

function analyse(policyJsons: readonly unknown[]): { whole: boolean; uses: Map<string, PathUse>; attrs: Set<string> | undefined } {
  const uses = new Map<string, PathUse>();
  let attrs: Set<string> | undefined = new Set<string>();
  let whole = false;
  const chain = (e: unknown): string[] | undefined => {
    if (!isExpr(e)) return undefined;
    if (e.Var === 'context') return [];
    const dot = e['.'] as { left: unknown; attr: string } | undefined;
    if (dot) {
      const base = chain(dot.left);
      return base ? [...base, dot.attr] : undefined;
    }
    return undefined;
  };
  const visit = (e: unknown): void => {
    if (!isExpr(e)) return;
    const c = chain(e);
    if (c) {
      if (c.length === 0) whole = true;
      else use(uses, c).exact = true;
      return;
    }
    const [op, arg] = singleEntry(e);
    if (op === undefined) return void (whole = true);
    if (op === 'Value' || op === 'Slot' || op === 'Var') return;
    if (op === 'has') {
      const { left, attr } = arg as { left: unknown; attr: string | string[] };
      const base = chain(left);
      if (!base) return visit(left);
      const path = [...base, ...(Array.isArray(attr) ? attr : [attr])];
      if (path.length === 0) whole = true;
      else use(uses, path).has = true;
      return;
    }
    if (CMP.has(op)) {
      const { left, right } = arg as { left: unknown; right: unknown };
      const l = chain(left);
      const r = chain(right);
      if (l && l.length > 0 && isIntLiteral(right)) return void use(uses, l).cmps.push({ op: op as CmpOp, n: right.Value });
      if (r && r.length > 0 && isIntLiteral(left)) return void use(uses, r).cmps.push({ op: FLIP[op as CmpOp], n: left.Value });
    }
    if (BINARY.has(op)) {
      const { left, right } = arg as { left: unknown; right: unknown };
      return void (visit(left), visit(right));
    }
    if (UNARY.has(op)) return visit((arg as { arg: unknown }).arg);
    if (op === '.' || op === 'like') return visit((arg as { left: unknown }).left);
    if (op === 'is') return void (visit((arg as { left: unknown }).left), visit((arg as { in?: unknown }).in));
    if (op === 'if-then-else') {
      const a = arg as { if: unknown; then: unknown; else: unknown };
      return void (visit(a.if), visit(a.then), visit(a.else));
    }
    if (op === 'Set' && Array.isArray(arg)) return arg.forEach(visit);
    if (op === 'Record' && isExpr(arg)) return Object.values(arg).forEach(visit);
    if (Array.isArray(arg)) return arg.forEach(visit); // extension function call
    whole = true; // a shape this analysis does not know: key on everything
  };
  // Every attribute name read anywhere (`.x`, `has x`): a superset of entity attributes read.
  const names = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(names);
    if (!isExpr(node)) return;
    const dot = node['.'] as { attr?: unknown } | undefined;
    if (dot && typeof dot.attr === 'string') attrs?.add(dot.attr);
    const has = node.has as { attr?: unknown } | undefined;
    if (has) for (const a of Array.isArray(has.attr) ? has.attr : [has.attr]) if (typeof a === 'string') attrs?.add(a);
    if ('getTag' in node || 'hasTag' in node) attrs = undefined;
    for (const v of Object.values(node)) names(v);
  };
  for (const p of policyJsons) {
    const conds = (p as { conditions?: { body: unknown }[] }).conditions;
    if (!Array.isArray(conds)) {
      whole = true;
      attrs = undefined;
      continue;
    }
    for (const c of conds) {
      visit(c.body);
      names(c.body);
    }
  }
  return { whole, uses, attrs };
}

function use(uses: Map<string, PathUse>, path: string[]): PathUse {
  const k = path.join('\0');
  let u = uses.get(k);
  if (!u) uses.set(k, (u = { path, exact: false, has: false, cmps: [] }));
  return u;
}

interface KeyNode {
  use: PathUse | undefined;
  children: [string, KeyNode][];
}

function keyTree(uses: readonly PathUse[]): KeyNode {
  const root: KeyNode = { use: undefined, children: [] };
  for (const u of uses) {
    let node = root;
    for (const seg of u.path) {
      let next = node.children.find(([s]) => s === seg)?.[1];
      if (!next) node.children.push([seg, (next = { use: undefined, children: [] })]);
      node = next;
    }
    node.use = u;
  }
  return root;
}

/**
 * One walk over the read paths of a present value. Each child slot is `\0` then `a`
 * (absent) or the child's text; a value that cannot be walked into is `o` + its text.
 * The tree is fixed per policy set, so the key decodes unambiguously.
 */
function keyOf(node: KeyNode, v: unknown): string {
  let out = node.use ? useToken(node.use, v) : '';
  if (node.children.length === 0) return out;
  if (!isPlainRecord(v)) return `${out}\0o${encode(v)}`;
  for (const [seg, child] of node.children) {
    const x = v[seg];
    out += x === undefined ? '\0a' : `\0${keyOf(child, x)}`;
  }
  return out;
}

function useToken(u: PathUse, v: unknown): string {
  if (u.exact) return `=${encode(v)}`;
  if (u.cmps.length === 0) return 'h';
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return `=${encode(v)}`;
  let bits = '#';
  for (const c of u.cmps) bits += compare(v, c.op, c.n) ? '1' : '0';
  return bits;
}

/** Self-delimiting text of a value: length-prefixed strings, JSON for composites. */
function encode(v: unknown): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      return `n${v}`;
    default:
      return `j${JSON.stringify(v)}`;
  }
}

interface PruneNode {
  /** Keep the whole value here (read by a comparison or exactly). */
  full: boolean;
  children: Map<string, PruneNode>;
}

function pruneTree(uses: readonly PathUse[]): PruneNode {
  const root: PruneNode = { full: false, children: new Map() };
  for (const u of uses) {
    let node = root;
    for (const seg of u.path) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { full: false, children: new Map() }));
      node = next;
    }
    if (u.exact || u.cmps.length > 0) node.full = true;
  }
  return root;
}

/** Keeps every read path; a `has`-only record keeps its presence as `{}` plus read children. */
function prune(node: PruneNode, v: unknown): unknown {
  if (node.full || !isPlainRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of node.children) {
    const x = v[k];
    if (x !== undefined) out[k] = prune(child, x);
  }
  return out;
}

function compare(v: number, op: CmpOp, n: number): boolean {
  switch (op) {
    case '<':
      return v < n;
    case '<=':
      return v <= n;
    case '>':
      return v > n;
    case '>=':
      return v >= n;
    case '==':
      return v === n;
    case '!=':
      return v !== n;
  }
}

/** A record Cedar would let `.attr` walk into (not an entity reference or extension value). */
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  if ('__entity' in r || '__extn' in r) return false;
  return !(typeof r.type === 'string' && typeof r.id === 'string');
}

function isExpr(e: unknown): e is Expr {
  return typeof e === 'object' && e !== null && !Array.isArray(e);
}

function isIntLiteral(e: unknown): e is { Value: number } {
  return isExpr(e) && typeof e.Value === 'number' && Number.isSafeInteger(e.Value);
}

function singleEntry(e: Expr): [string | undefined, unknown] {
  const keys = Object.keys(e);
  return keys.length === 1 ? [keys[0]!, e[keys[0]!]] : [undefined, undefined];
}

function isPrefix(p: string[], q: string[]): boolean {
  return p.length <= q.length && p.every((s, i) => s === q[i]);
}
