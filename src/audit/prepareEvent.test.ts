import { describe, expect, it } from 'vitest';
import type { AuditEventInput } from './types.js';
import { prepareEvent } from './prepareEvent.js';

const now = () => new Date('2026-03-04T05:06:07.089Z');
const ok: AuditEventInput = { type: 'gateway.http.request', actor: 'Radgate::User::"u1"', outcome: 'allow', detail: { b: 2, a: 1 } };

describe('prepareEvent', () => {
  it('stores the detail as canonical JSON and the time as RFC 3339 UTC with milliseconds', () => {
    expect(prepareEvent(ok, now)).toEqual({ time: '2026-03-04T05:06:07.089Z', type: 'gateway.http.request', actor: 'Radgate::User::"u1"', outcome: 'allow', detail: '{"a":1,"b":2}' });
  });

  it('records a missing detail as an empty object and keeps an explicit time', () => {
    const e = prepareEvent({ type: 'decision', actor: 'system', outcome: 'deny', time: new Date(0) }, now);
    expect(e.detail).toBe('{}');
    expect(e.time).toBe('1970-01-01T00:00:00.000Z');
  });

  const bad: [string, unknown][] = [
    ['an empty type', { ...ok, type: '' }],
    ['a type with spaces', { ...ok, type: 'http request' }],
    ['a type that is not a string', { ...ok, type: 7 }],
    ['an empty actor', { ...ok, actor: '' }],
    ['an actor with a newline (log forging)', { ...ok, actor: 'u1\n2 forged' }],
    ['an actor with a lone surrogate (not storable as UTF-8)', { ...ok, actor: 'u\ud800' }],
    ['an unknown outcome', { ...ok, outcome: 'maybe' }],
    ['a detail that is an array', { ...ok, detail: [1] }],
    ['a detail with a bigint', { ...ok, detail: { n: 10n } }],
    ['a detail with a function', { ...ok, detail: { f: () => 0 } }],
    ['a detail with NaN', { ...ok, detail: { n: Number.NaN } }],
    ['a detail larger than 64 KiB', { ...ok, detail: { s: 'x'.repeat(70_000) } }],
    ['an invalid time', { ...ok, time: new Date(Number.NaN) }],
    ['a time past year 9999', { ...ok, time: new Date(253_402_300_800_000) }],
    ['a time that is a string', { ...ok, time: '2026-01-01T00:00:00Z' }],
  ];
  it.each(bad)('refuses %s with a bad-request error', (_name, input) => {
    expect(() => prepareEvent(input as AuditEventInput, now)).toThrow(expect.objectContaining({ code: 'bad-request' }));
  });
});
