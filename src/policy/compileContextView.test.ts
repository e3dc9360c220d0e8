import { describe, expect, it } from 'vitest';
import { policyToJson } from './cedar.js';
import { compileContextView } from './compileContextView.js';

const view = (...policies: string[]) =>
  compileContextView(
    policies.map((p) => {
      const a = policyToJson(p);
      if (a.type !== 'success') throw new Error(JSON.stringify(a.errors));
      return a.json;
    }),
  );

describe('compileContextView', () => {
  const v = view(
    'permit (principal, action, resource) when { context has auth && context.auth.ageSeconds <= 300 };',
    'forbid (principal, action, resource) when { context has device && context.device.tier == "untrusted" };',
  );

  it('gives numbers on the same side of every compared threshold the same key', () => {
    expect(v.key({ auth: { ageSeconds: 5, webauthn: true } })).toBe(v.key({ auth: { ageSeconds: 300, webauthn: false } }));
    expect(v.key({ auth: { ageSeconds: 300 } })).not.toBe(v.key({ auth: { ageSeconds: 301 } }));
  });

  it('keys exactly on values used other than in an integer comparison', () => {
    expect(v.key({ device: { tier: 'high' } })).not.toBe(v.key({ device: { tier: 'untrusted' } }));
  });

  it('ignores paths no policy reads', () => {
    expect(v.key({ device: { tier: 'high', id: 'a', postureAgeSeconds: 1 } })).toBe(v.key({ device: { tier: 'high', id: 'b', postureAgeSeconds: 999 } }));
  });

  it('distinguishes absent from present values', () => {
    expect(v.key({})).not.toBe(v.key({ auth: { ageSeconds: 1 } }));
    expect(v.key({ auth: {} })).not.toBe(v.key({ auth: { ageSeconds: 1 } }));
  });

  it('keys non-integer numbers exactly so invalid input never shares a valid entry', () => {
    expect(v.key({ auth: { ageSeconds: 1.5 } })).not.toBe(v.key({ auth: { ageSeconds: 1 } }));
    expect(v.key({ auth: { ageSeconds: Number.NaN } })).not.toBe(v.key({ auth: { ageSeconds: 1000 } }));
  });

  it('cannot be fooled by separators inside string values', () => {
    const w = view('permit (principal, action, resource) when { context.a == "x" && context.b == "y" };');
    expect(w.key({ a: 'p\u0000=s1:q', b: 'r' })).not.toBe(w.key({ a: 'p', b: 'q\u0000=s1:r' }));
  });

  it('treats an entity reference as opaque', () => {
    const w = view('permit (principal, action, resource) when { context.grant.target.department == "x" };');
    expect(w.key({ grant: { target: { type: 'T', id: 'a' } } })).not.toBe(w.key({ grant: { target: { type: 'T', id: 'b' } } }));
  });

  it('keys on the whole context when a policy uses the context record itself', () => {
    const w = view('permit (principal, action, resource) when { context == {} };');
    expect(w.key({ a: 1 })).not.toBe(w.key({ a: 2 }));
    expect(w.prune({ a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
  });

  it('prunes the context to what the policies read, keeping has-only records present', () => {
    expect(v.prune({ auth: { ageSeconds: 3, webauthn: true, methods: ['x'] }, device: { tier: 'high', id: 'd' }, risk: { score: 1 } })).toEqual({
      auth: { ageSeconds: 3 },
      device: { tier: 'high' },
    });
    const h = view('permit (principal, action, resource) when { context has breakGlass };');
    expect(h.prune({ breakGlass: false, other: 1 })).toEqual({ breakGlass: false });
  });

  it('lists the attribute names policies read from entities', () => {
    const w = view('permit (principal, action, resource) when { principal.department == resource.department && resource has owner };');
    expect([...(w.entityAttrs ?? [])].sort()).toEqual(['department', 'owner']);
  });
});
