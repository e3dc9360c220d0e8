// The device key file: 0600 PKCS#8 P-256, never replaced, refused when others can read it.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_KEY_FILE, fileDeviceKeyStore } from './fileDeviceKeyStore.js';

describe('fileDeviceKeyStore', () => {
  let home: string;
  beforeEach(() => void (home = path.join(mkdtempSync(path.join(tmpdir(), 'radgate-key-')), 'agent')));
  afterEach(() => rmSync(path.dirname(home), { recursive: true, force: true }));

  it('creates a P-256 PKCS#8 key in a 0600 file inside a 0700 home, and loads the same key back', async () => {
    const store = fileDeviceKeyStore(home);
    expect(await store.load()).toBeUndefined();
    const created = await store.create();
    const file = path.join(home, DEVICE_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(created.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect((await store.load())?.publicJwk).toEqual(created.publicJwk);
    expect(store.description).toBe(`file:${file}`);
  });

  it('never replaces an existing key', async () => {
    const store = fileDeviceKeyStore(home);
    await store.create();
    await expect(store.create()).rejects.toMatchObject({ code: 'already-enrolled' });
  });

  it('refuses a key file that group or others can read, and a symlink', async () => {
    const store = fileDeviceKeyStore(home);
    await store.create();
    const file = path.join(home, DEVICE_KEY_FILE);
    chmodSync(file, 0o640);
    await expect(store.load()).rejects.toMatchObject({ code: 'insecure-file' });
    chmodSync(file, 0o604);
    await expect(store.load()).rejects.toMatchObject({ code: 'insecure-file' });
    chmodSync(file, 0o600);
    const link = path.join(home, 'link');
    rmSync(link, { force: true });
    const other = fileDeviceKeyStore(path.join(home, 'sub'));
    writeFileSync(path.join(home, 'x.pem'), readFileSync(file));
    chmodSync(path.join(home, 'x.pem'), 0o600);
    await other.create(); // makes home/sub
    rmSync(path.join(home, 'sub', DEVICE_KEY_FILE));
    symlinkSync(path.join(home, 'x.pem'), path.join(home, 'sub', DEVICE_KEY_FILE));
    await expect(other.load()).rejects.toMatchObject({ code: 'insecure-file' });
  });

  it('refuses a key that is not P-256', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const store = fileDeviceKeyStore(home);
    await store.create();
    writeFileSync(path.join(home, DEVICE_KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await expect(store.load()).rejects.toMatchObject({ code: 'bad-file' });
  });
});
