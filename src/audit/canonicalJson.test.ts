import canonicalizePkg from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonicalJson.js';
import { digestContext } from './digestContext.js';
import { eventCanonicalJson, GENESIS_HASH } from './hashEvent.js';
import { sha256Hex } from './sha256Hex.js';

// canonicalize is CommonJS (`module.exports = fn`); its .d.ts declares an ES default export.
const canonicalize = canonicalizePkg as unknown as (input: unknown) => string | undefined;

// Deterministic PRNG (mulberry32) so a failure reproduces.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const alphabet = ['a', 'B', 'z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', 'ß', '\u20ac', '\u2028', '\ufb33', '\uffff', '\u{1f600}', '\u{10ffff}', 'ö', '\u0080'];

function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 8);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)]!;
  return s;
}

function randomNumber(r: () => number): number {
  const pick = Math.floor(r() * 8);
  if (pick === 0) return Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1);
  if (pick === 1) return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
  if (pick === 2) return r() < 0.5 ? -0 : 0;
  if (pick === 3) return Number.MAX_VALUE * r();
  if (pick === 4) return Number.MIN_VALUE * Math.ceil(r() * 100);
  if (pick === 5) return 1e21 * r();
  return Math.floor(r() * 1000) - 500;
}

function randomJson(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 5 : 7));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return randomNumber(r);
    case 3:
    case 4: return randomString(r);
    case 5: return Array.from({ length: Math.floor(r() * 5) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[randomString(r)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

describe('canonicalJson', () => {
  it('equals the canonicalize package (RFC 8785) on 5,000 random JSON values', () => {
    const r = rng(8785);
    for (let i = 0; i < 5000; i++) {
      const v = randomJson(r, 0);
      expect(canonicalJson(v)).toBe(canonicalize(v));
    }
  });

  it('sorts member names by UTF-16 code units, not code points (RFC 8785 3.2.3)', () => {
    // U+1F600 is stored as D83D DE00, which sorts before U+FFFF although its code point is larger.
    expect(canonicalJson({ '\uffff': 1, '\u{1f600}': 2, a: 3 })).toBe('{"a":3,"\u{1f600}":2,"\uffff":1}');
  });

  it('serialises numbers the ECMAScript way (RFC 8785 3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333, 1.0])).toBe('[1e+21,1e-7,0,0.30000000000000004,333333333.3333333,1]');
  });

  it.each([
    ['NaN', { a: Number.NaN }],
    ['Infinity', { a: Number.POSITIVE_INFINITY }],
    ['a bigint', { a: 1n }],
    ['a function', { a: () => 1 }],
    ['a symbol', { a: Symbol('x') }],
    ['a Map', { a: new Map([['k', 1]]) }],
    ['a Set', { a: new Set([1]) }],
    ['a class instance', { a: new (class Foo { x = 1; })() }],
    ['undefined at the top level', undefined],
  ])('refuses %s with a bad-request error', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: 'bad-request' }));
  });

  it('refuses a cycle instead of overflowing the stack', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = { a };
    expect(() => canonicalJson(a)).toThrow(/cycle/);
  });

  it('refuses nesting deeper than 64 levels', () => {
    let v: unknown = 1;
    for (let i = 0; i < 70; i++) v = [v];
    expect(() => canonicalJson(v)).toThrow(/deeper/);
  });

  it('omits undefined members and honours toJSON, like JSON.stringify', () => {
    const at = new Date('2026-01-02T03:04:05.006Z');
    expect(canonicalJson({ b: undefined, a: at, c: [undefined] })).toBe('{"a":"2026-01-02T03:04:05.006Z","c":[null]}');
  });
});

describe('eventCanonicalJson', () => {
  it('equals canonicalize() of the event with its detail parsed, on 2,000 random events', () => {
    const r = rng(42);
    for (let i = 0; i < 2000; i++) {
      const detail = randomJson(r, 1);
      const obj = detail !== null && typeof detail === 'object' && !Array.isArray(detail) ? detail : { v: detail };
      const ev = {
        seq: Math.floor(r() * 2 ** 40) + 1,
        time: new Date(Math.floor(r() * 4e12)).toISOString(),
        type: 'x.' + randomString(r),
        actor: randomString(r),
        outcome: randomString(r),
        prevHash: r() < 0.1 ? GENESIS_HASH : sha256Hex(String(i)),
      };
      expect(eventCanonicalJson({ ...ev, detail: canonicalJson(obj) })).toBe(canonicalize({ ...ev, detail: obj }));
    }
  });
});

describe('digestContext', () => {
  it('is the first 32 hex digits of SHA-256 over the canonical JSON, independent of key order', () => {
    const d = digestContext({ b: 1, a: { y: [1, 2], x: 'z' } });
    expect(d).toBe(sha256Hex('{"a":{"x":"z","y":[1,2]},"b":1}').slice(0, 32));
    expect(digestContext({ a: { x: 'z', y: [1, 2] }, b: 1 })).toBe(d);
    expect(d).toMatch(/^[0-9a-f]{32}$/);
  });
});
