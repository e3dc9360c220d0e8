// Decision inputs become immutable once authorize has seen them: they are cache keys and
// audit evidence (the context digest is computed after authorize returns). Freezing makes
// a later mutation throw (ESM is strict) instead of silently changing what was decided.

const MAX_DEPTH = 64;

/** Deep-freezes `v`. Always descends: a caller's shallow freeze must not stop it. */
export function freezeDeep<T>(v: T, depth = 0): T {
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_DEPTH) throw new Error('input nested too deeply (or cyclic)');
  Object.freeze(v);
  for (const k in v) freezeDeep((v as Record<string, unknown>)[k], depth + 1);
  return v;
}

/**
 * Short, stable tokens for frozen inputs, for cache keys: equal JSON gets the same token
 * (across objects, while the intern table lasts), an object keeps its token for life, and
 * a token is never reused for other data.
 */
export class InputTokens {
  private readonly byObject = new WeakMap<object, string>();
  private byJson = new Map<string, string>();
  private next = 0;

  constructor(private readonly maxInterned: number) {}

  /** Deep-freezes `v` (first time) and returns its token. */
  of(v: object): string {
    let t = this.byObject.get(v);
    if (t === undefined) {
      freezeDeep(v);
      const json = JSON.stringify(v);
      t = this.byJson.get(json);
      if (t === undefined) {
        if (this.byJson.size >= this.maxInterned) this.byJson = new Map(); // forgetting only costs hits
        t = (this.next++).toString(36);
        this.byJson.set(json, t);
      }
      this.byObject.set(v, t);
    }
    return t;
  }
}
