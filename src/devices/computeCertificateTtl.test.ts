import { describe, expect, it } from 'vitest';
import { computeCertificateTtl } from './computeCertificateTtl.js';

const roleMaxTtl = { clinician: 8 * 3600, vendor: 4 * 3600, admin: 3600 };
const now = 1_000_000_000_000;
const base = { roleMaxTtl, defaultMaxTtl: 1800, now, sessionExpiresAt: now + 12 * 3600_000 };

describe('computeCertificateTtl', () => {
  it.each([
    ['a clinician gets the role maximum when the session lives longer', { userKind: 'workforce', roles: ['clinician'] }, 8 * 3600, 'role'],
    ['the session ending first bounds it', { userKind: 'workforce', roles: ['clinician'], sessionExpiresAt: now + 3600_000 }, 3600, 'session'],
    ['a user with several roles gets the smallest role maximum (least privilege)', { userKind: 'workforce', roles: ['admin', 'clinician'] }, 3600, 'role'],
    ['a vendor is bounded by the vendor maximum whatever their roles', { userKind: 'vendor', roles: ['clinician'] }, 4 * 3600, 'role'],
    ['an active grant ending first bounds it', { userKind: 'vendor', roles: ['vendor'], grantEndsAt: now + 900_000 }, 900, 'grant'],
    ['a user without a listed role gets the default', { userKind: 'workforce', roles: ['porter'] }, 1800, 'role'],
    ['an ended session leaves nothing', { userKind: 'workforce', roles: ['clinician'], sessionExpiresAt: now - 1 }, 0, 'session'],
    ['a role named like an Object.prototype key is not a maximum', { userKind: 'workforce', roles: ['constructor'] }, 1800, 'role'],
  ] as const)('%s', (_n, over, ttl, boundBy) => {
    expect(computeCertificateTtl({ ...base, ...over })).toEqual({ ttlSeconds: ttl, boundBy });
  });
});
