// Shared set-up for audit integration tests: a real SQLite file in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openAuditLog, type AuditScheduler, type OpenAuditLogOptions, type OpenedAuditLog } from '../../src/audit/index.js';
import { openStore, type Store } from '../../src/store/index.js';

export interface TestEnv {
  dir: string;
  home: string;
  dbFile: string;
  store: Store;
  reopen(): Promise<Store>;
  /** A raw connection to tamper with the file, as an attacker with disk access would. */
  raw(): Database.Database;
  cleanup(): Promise<void>;
}

export async function testEnv(): Promise<TestEnv> {
  const dir = mkdtempSync(path.join(tmpdir(), 'radgate-audit-'));
  const home = path.join(dir, 'home');
  const dbFile = path.join(home, 'radgate.db');
  const stores: Store[] = [];
  const raws: Database.Database[] = [];
  const open = async () => {
    const s = await openStore({ location: dbFile });
    stores.push(s);
    return s;
  };
  const env: TestEnv = {
    dir,
    home,
    dbFile,
    store: await open(),
    reopen: async () => (env.store = await open()),
    raw: () => {
      const db = new Database(dbFile);
      raws.push(db);
      return db;
    },
    cleanup: async () => {
      for (const db of raws) db.close();
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

export function openLog(env: TestEnv, extra: Partial<OpenAuditLogOptions> = {}): Promise<OpenedAuditLog> {
  return openAuditLog({
    store: env.store,
    home: env.home,
    checkpointEvery: 1_000_000,
    checkpointIntervalSeconds: 0,
    onError: () => {},
    ...extra,
  });
}

/** A scheduler the test ticks by hand. */
export function manualScheduler(): AuditScheduler & { tick(): void; intervals: number[] } {
  const fns: (() => void)[] = [];
  const intervals: number[] = [];
  return {
    intervals,
    every(ms, fn) {
      intervals.push(ms);
      fns.push(fn);
      return () => void fns.splice(fns.indexOf(fn), 1);
    },
    tick() {
      for (const fn of [...fns]) fn();
    },
  };
}

export const event = (i: number) => ({
  type: 'gateway.http.request',
  actor: `Radgate::User::"u${i % 7}"`,
  outcome: 'allow' as const,
  detail: { i, path: `/dicomweb/studies/1.2.840.${i}`, status: 200 },
});
