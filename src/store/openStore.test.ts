import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openStore } from './openStore.js';

const tmpDb = () => path.join(mkdtempSync(path.join(tmpdir(), 'radgate-store-')), 'sub', 'radgate.db');

describe('openStore', () => {
  it('creates the database with WAL, FULL sync and every migration applied', async () => {
    const file = tmpDb();
    const store = await openStore({ location: file });
    await store.ping();
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['users', 'devices', 'certificates', 'policy_versions', 'audit_events', 'audit_checkpoints']));
    raw.close();
    expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
  });

  it('is idempotent: migrating twice keeps one record per migration', async () => {
    const file = tmpDb();
    const first = await migrateDatabase(file);
    const second = await migrateDatabase(file);
    expect(second.applied).toBe(first.applied);
    expect(first.applied).toBeGreaterThan(0);
  });

  it('fails closed with store-unavailable when the database cannot be opened', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'radgate-store-'));
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    await expect(openStore({ location: path.join(dir, 'file', 'radgate.db') })).rejects.toMatchObject({ code: 'store-unavailable' });
  });

  it('rejects queries after close instead of crashing', async () => {
    const store = await openStore({ location: ':memory:' });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'store-unavailable' });
    await expect(store.certificates.get('00')).rejects.toMatchObject({ code: 'store-unavailable' });
  });

  it('keeps exactly one active policy version through activation', async () => {
    const store = await openStore({ location: ':memory:' });
    const base = { state: 'proposed' as const, files: '{}', author: 'a', createdAt: 1 };
    await store.policyVersions.insert({ ...base, id: 'v1' });
    await store.policyVersions.insert({ ...base, id: 'v2' });
    await store.policyVersions.activate('v1', null, 2);
    await store.policyVersions.activate('v2', 'b', 3);
    expect((await store.policyVersions.getActive())?.id).toBe('v2');
    expect((await store.policyVersions.get('v1'))?.state).toBe('superseded');
    await expect(store.policyVersions.activate('nope', null, 4)).rejects.toMatchObject({ code: 'not-found' });
    expect((await store.policyVersions.getActive())?.id).toBe('v2');
    await store.close();
  });
});
