import { describe, expect, it } from 'vitest';
import type { User } from '../types.js';
import { principalFor, userActor } from './principalFor.js';

const user = (p: Partial<User>): User => ({
  id: 'v1',
  issuer: 'https://idp',
  subject: 's',
  kind: 'vendor',
  organization: 'acme-imaging',
  department: null,
  displayName: null,
  email: null,
  roles: [],
  disabled: false,
  ...p,
});

describe('principalFor', () => {
  it('builds Radgate::User with kind, org and Role parents; department only when known', () => {
    expect(principalFor(user({ roles: ['vendor-engineer'] }))).toEqual({
      uid: { type: 'Radgate::User', id: 'v1' },
      attrs: { kind: 'vendor', org: 'acme-imaging' },
      parents: [{ type: 'Radgate::Role', id: 'vendor-engineer' }],
    });
    expect(principalFor(user({ organization: null, department: 'cardiology' })).attrs).toEqual({ kind: 'vendor', org: '', department: 'cardiology' });
  });

  it('names the audit actor in Cedar uid syntax', () => {
    expect(userActor('a"b')).toBe('Radgate::User::"a\\"b"');
  });
});
