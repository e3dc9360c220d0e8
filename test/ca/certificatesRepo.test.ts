import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type NewCertificateRow, type Store } from '../../src/store/index.js';
import { removeHome, tempHome } from './testCa.js';

const row = (serial: string, extra: Partial<NewCertificateRow> = {}): NewCertificateRow => ({
  serial,
  kind: 'client',
  subject: 'CN=u',
  userId: 'u',
  deviceId: 'd',
  sessionId: 's',
  fingerprint: 'f'.repeat(64),
  notBefore: 1,
  notAfter: 2_000,
  issuedAt: 1,
  pem: 'pem',
  ...extra,
});

let store: Store | undefined;
let home: string | undefined;
afterEach(async () => {
  await store?.close();
  if (home) removeHome(home);
  store = home = undefined;
});

describe('certificatesRepo', () => {
  it('fails only the insert with a duplicate serial when inserts share a commit', async () => {
    home = tempHome();
    store = await openStore({ location: path.join(home, 'radgate.db') });
    await store.certificates.insert(row('AA'));
    const results = await Promise.allSettled([store.certificates.insert(row('BB')), store.certificates.insert(row('AA')), store.certificates.insert(row('CC'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'store-unavailable' });
    expect((await store.certificates.list()).map((r) => r.serial).sort()).toEqual(['AA', 'BB', 'CC']);
    expect(await store.certificates.get('BB')).toMatchObject({ grantId: null, revokedAt: null });
  });

  it('lists revoked certificates, optionally only those not yet expired', async () => {
    home = tempHome();
    store = await openStore({ location: path.join(home, 'radgate.db') });
    await Promise.all([store.certificates.insert(row('01', { notAfter: 1_000 })), store.certificates.insert(row('02', { notAfter: 3_000 }))]);
    expect(await store.certificates.revokeWhere({ userId: 'u' }, 'superseded', 500)).toHaveLength(2);
    expect((await store.certificates.listRevoked()).map((r) => r.serial).sort()).toEqual(['01', '02']);
    expect((await store.certificates.listRevoked(1_000)).map((r) => r.serial)).toEqual(['02']);
  });
});
