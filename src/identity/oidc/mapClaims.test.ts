import { describe, expect, it } from 'vitest';
import { mapClaims, mappedClaimNames } from './mapClaims.js';

const idp = {
  kind: 'workforce' as const,
  claims: { organization: 'org', department: 'dept', groups: 'groups', kind: 'user_type', displayName: 'name', email: 'email' },
  roleMap: { clinicians: 'clinician', 'radgate-admins': 'admin', 'pacs-admins': 'admin' },
};

describe('mapClaims', () => {
  it('maps profile claims through the configured names and only mapped groups to roles', () => {
    expect(
      mapClaims(idp, {
        org: 'St. Example',
        dept: ' radiology ',
        name: 'Dr. A',
        email: 'a@example',
        groups: ['clinicians', 'radgate-admins', 'pacs-admins', 'everyone'],
      }),
    ).toEqual({
      kind: 'workforce',
      organization: 'St. Example',
      department: 'radiology',
      displayName: 'Dr. A',
      email: 'a@example',
      roles: ['admin', 'clinician'],
      groups: ['clinicians', 'radgate-admins', 'pacs-admins', 'everyone'],
    });
  });

  it('takes the kind from the kind claim only for workforce or vendor', () => {
    expect(mapClaims(idp, { user_type: 'vendor' }).kind).toBe('vendor');
    expect(mapClaims(idp, { user_type: 'service' }).kind).toBe('workforce');
    expect(mapClaims({ ...idp, kind: 'vendor', claims: { ...idp.claims, kind: undefined } }, { user_type: 'workforce' }).kind).toBe('vendor');
  });

  it('grants no role for groups that only look like object keys', () => {
    expect(mapClaims(idp, { groups: ['constructor', '__proto__', 'toString'] }).roles).toEqual([]);
  });

  it('accepts a single group string and ignores non-strings and malformed claims', () => {
    expect(mapClaims(idp, { groups: 'clinicians' }).roles).toEqual(['clinician']);
    expect(mapClaims(idp, { groups: [1, null, { a: 1 }, 'clinicians'] }).roles).toEqual(['clinician']);
    expect(mapClaims(idp, { org: 42, dept: '', name: ['x'] })).toMatchObject({ organization: null, department: null, displayName: null, roles: [] });
  });

  it('keeps control characters and lone surrogates out of stored text', () => {
    const m = mapClaims(idp, { name: 'Dr.\nFake\u0000Line', org: 'A\uD800', groups: ['clinicians', 'bad\ngroup', '\uDC00'] });
    expect(m).toMatchObject({ displayName: 'Dr. Fake Line', organization: 'A\uFFFD', groups: ['clinicians'], roles: ['clinician'] });
  });

  it('names the claims it reads', () => {
    expect(mappedClaimNames(idp).sort()).toEqual(['dept', 'email', 'groups', 'name', 'org', 'user_type']);
  });
});
