// RFC 8785 (JCS) canonical JSON that refuses anything JSON cannot carry faithfully,
// so a hash over the text always describes exactly what was recorded.
import { RadgateError } from '../errors/index.js';

const MAX_DEPTH = 64;

/**
 * Canonical JSON of `value`: keys sorted by UTF-16 code units, ECMAScript number and
 * string serialisation (RFC 8785 3.2). Like JSON.stringify, object members whose value
 * is `undefined` are omitted and `toJSON()` is honoured. Unlike JSON.stringify (and the
 * `canonicalize` package), functions, symbols, bigints, NaN, Infinity, cycles, Maps,
 * Sets and other non-plain objects are rejected with a `bad-request` error.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0, []);
}

function encode(value: unknown, depth: number, stack: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // RFC 8785 3.2.2.3: ECMAScript Number-to-String; NaN and Infinity are not JSON.
      if (!Number.isFinite(value)) throw invalid(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw invalid(`a ${typeof value} is not JSON`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw invalid(`nested deeper than ${MAX_DEPTH} levels`);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return encode(toJSON.call(value) as unknown, depth + 1, stack);
  if (stack.includes(value)) throw invalid('it contains a cycle');
  stack.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      // As JSON.stringify: an undefined array element is null.
      out += (i === 0 ? '' : ',') + (v === undefined ? 'null' : encode(v, depth + 1, stack));
    }
    out += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw invalid(`a ${(value as object).constructor?.name ?? 'non-plain'} object is not JSON`);
    }
    const obj = value as Record<string, unknown>;
    // RFC 8785 3.2.3: members sorted by their names' UTF-16 code units (the default sort).
    const keys = Object.keys(obj).sort();
    out = '{';
    let first = true;
    for (const k of keys) {
      const v = obj[k];
      if (v === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(k) + ':' + encode(v, depth + 1, stack);
      first = false;
    }
    out += '}';
  }
  stack.pop();
  return out;
}

function invalid(why: string): RadgateError {
  return new RadgateError('bad-request', `value is not canonical-JSON serialisable: ${why}`);
}
