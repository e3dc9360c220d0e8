// Opens the embedded SQLite store (WAL, FULL sync), applies migrations and hands out
// async repositories; nothing outside store/ sees the better-sqlite3 handle.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { RadgateError, wrapError } from '../errors/index.js';
import * as schema from './schema.js';
import { auditRepo, type AuditRepo } from './auditRepo.js';
import { certificatesRepo, type CertificatesRepo } from './certificatesRepo.js';
import { policyVersionsRepo, type PolicyVersionsRepo } from './policyVersionsRepo.js';
import { challengesRepo, type ChallengesRepo } from './challengesRepo.js';
import { devicesRepo, type DevicesRepo } from './devicesRepo.js';
import { sessionsRepo, type SessionsRepo } from './sessionsRepo.js';
import { usersRepo, type UsersRepo } from './usersRepo.js';
import { webauthnRepo, type WebauthnRepo } from './webauthnRepo.js';
import { monitoringRepo, type MonitoringRepo } from './monitoringRepo.js';
import { accessRepo, type AccessRepo } from './accessRepo.js';
import { decisionFactsRepo, type DecisionFactsRepo } from './decisionFactsRepo.js';
import { auditSearchRepo, type AuditSearchRepo } from './auditSearchRepo.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Store {
  readonly location: string;
  readonly audit: AuditRepo;
  readonly certificates: CertificatesRepo;
  readonly policyVersions: PolicyVersionsRepo;
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly webauthn: WebauthnRepo;
  readonly challenges: ChallengesRepo;
  readonly devices: DevicesRepo;
  /** Export cursors, behavioural alerts and analytics state. */
  readonly monitoring: MonitoringRepo;
  readonly access: AccessRepo;
  readonly decisionFacts: DecisionFactsRepo;
  readonly auditSearch: AuditSearchRepo;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** File path, or ':memory:' for unit tests. */
  location: string;
  busyTimeoutMs?: number;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { location } = options;
  let sqlite: Database.Database;
  try {
    if (location !== ':memory:') mkdirSync(path.dirname(location), { recursive: true, mode: 0o700 });
    sqlite = new Database(location, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!options.readonly) sqlite.pragma('journal_mode = WAL');
    // The audit path promises durability before access: every commit is fsynced.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    throw wrapError('store-unavailable', `cannot open the database at ${location}`, err);
  }
  const db: Db = drizzle(sqlite, { schema });
  if (options.migrate ?? true) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    } catch (err) {
      sqlite.close();
      throw wrapError('store-unavailable', 'database migration failed', err);
    }
  }
  let closed = false;
  return {
    location,
    audit: auditRepo(sqlite),
    certificates: certificatesRepo(db),
    policyVersions: policyVersionsRepo(db, sqlite),
    users: usersRepo(db),
    sessions: sessionsRepo(db, sqlite),
    webauthn: webauthnRepo(db, sqlite),
    challenges: challengesRepo(db, sqlite),
    devices: devicesRepo(db),
    monitoring: monitoringRepo(sqlite),
    access: accessRepo(db),
    decisionFacts: decisionFactsRepo(sqlite),
    auditSearch: auditSearchRepo(sqlite),
    async ping() {
      if (closed) throw new RadgateError('store-unavailable', 'the database is closed');
      try {
        sqlite.prepare('SELECT 1').get();
      } catch (err) {
        throw wrapError('store-unavailable', 'the database does not answer', err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      sqlite.close();
    },
  };
}

/** `radgate migrate`: apply migrations and report how many are recorded. */
export async function migrateDatabase(location: string): Promise<{ applied: number }> {
  const store = await openStore({ location, migrate: true });
  await store.close();
  const sqlite = new Database(location, { readonly: true });
  try {
    const row = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    return { applied: row.n };
  } finally {
    sqlite.close();
  }
}
