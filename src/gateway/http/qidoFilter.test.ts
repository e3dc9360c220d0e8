import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createQidoFilter, filterQidoBody, JsonArraySplitter, type QidoFilterOptions } from './qidoFilter.js';

const study = (uid: string, dept: string, extra = '') => `{"0020000D":{"vr":"UI","Value":["${uid}"]},"00081040":{"vr":"LO","Value":["${dept}"]}${extra}}`;
const body = `[\n ${study('1.1', 'Radiology')},\n ${study('1.2', 'Cardiology', ',"00100010":{"vr":"PN","Value":[{"Alphabetic":"Brace}]\\"Name"}]}')}, ${study('1.3', 'Radiology')}]`;
const onlyRadiology: QidoFilterOptions['decide'] = async (items) => items.map((i) => ({ allow: i.facts.department === 'radiology', durable: Promise.resolve() }));

function chunked(s: string, sizes: number[]): Buffer[] {
  const b = Buffer.from(s);
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('JsonArraySplitter', () => {
  it('splits top-level objects whatever the chunk boundaries, strings with brackets and escapes included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        const s = new JsonArraySplitter();
        const got = chunked(body, sizes).flatMap((c) => s.push(c));
        expect(s.complete).toBe(true);
        expect(got.map((g) => JSON.parse(g.toString()) as unknown)).toEqual(JSON.parse(body));
      }),
    );
  });

  it.each([
    ['not an array', '{"a":1}'],
    ['a bare value inside', '[1,2]'],
    ['missing comma', `[${study('1', 'x')} ${study('2', 'x')}]`],
    ['data after the end', '[] []'],
  ])('refuses %s', (_name, input) => {
    const s = new JsonArraySplitter();
    expect(() => s.push(Buffer.from(input))).toThrow();
  });

  it('refuses an element larger than the bound', () => {
    const s = new JsonArraySplitter(100);
    expect(() => s.push(Buffer.from(`[${study('1', 'x'.repeat(200))}]`))).toThrow(/exceeds 100 bytes/);
  });
});

describe('QIDO filtering', () => {
  it('streams only allowed studies, in order, as valid JSON', async () => {
    const counts: { passed: number; withheld: number }[] = [];
    const out = await text(Readable.from(chunked(body, [7, 3, 50])).pipe(createQidoFilter({ decide: onlyRadiology, onDone: (c) => counts.push(c) })));
    expect((JSON.parse(out) as Array<Record<string, { Value: string[] }>>).map((s) => s['0020000D']!.Value[0])).toEqual(['1.1', '1.3']);
    expect(counts).toEqual([{ passed: 2, withheld: 1 }]);
  });

  it('withholds elements without a StudyInstanceUID and answers [] for an empty body', async () => {
    const r = await filterQidoBody(Buffer.from('[{"00100010":{"vr":"PN"}}]'), { decide: onlyRadiology });
    expect(r).toMatchObject({ passed: 0, withheld: 1 });
    expect(r.body.toString()).toBe('[]');
    expect((await filterQidoBody(Buffer.alloc(0), { decide: onlyRadiology })).body.toString()).toBe('[]');
  });

  it('fails (nothing leaks) on a truncated or corrupt answer and on a failing decision', async () => {
    await expect(filterQidoBody(Buffer.from(body.slice(0, -5)), { decide: onlyRadiology })).rejects.toThrow(/closing bracket/);
    await expect(text(Readable.from([Buffer.from(body.slice(0, -5))]).pipe(createQidoFilter({ decide: onlyRadiology })))).rejects.toThrow();
    await expect(filterQidoBody(Buffer.from('[{"a":}]'), { decide: onlyRadiology })).rejects.toThrow(/not valid JSON/);
    await expect(filterQidoBody(Buffer.from(body), { decide: () => Promise.reject(new Error('PACS down')) })).rejects.toThrow('PACS down');
  });

  it('holds allowed elements until their decisions are durable', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let done = false;
    const p = filterQidoBody(Buffer.from(body), { decide: async (items) => items.map(() => ({ allow: true, durable: gate })) }).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    expect((await p).passed).toBe(3);
  });
});
