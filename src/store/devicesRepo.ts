// Enrolled devices, their posture reports, and service principals for fixed equipment.
import { and, desc, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { guarded } from './guard.js';
import * as schema from './schema.js';
import { devices, postureReports, servicePrincipals } from './schema.js';

export type DeviceRow = typeof devices.$inferSelect;
export type NewDeviceRow = typeof devices.$inferInsert;
export type PostureReportRow = typeof postureReports.$inferSelect;
export type NewPostureReportRow = typeof postureReports.$inferInsert;
export type ServicePrincipalRow = typeof servicePrincipals.$inferSelect;
export type NewServicePrincipalRow = typeof servicePrincipals.$inferInsert;

export interface DevicesRepo {
  insert(row: NewDeviceRow): Promise<void>;
  /** Inserts unless a device (in any state) already holds this SPKI PEM; false then. Atomic. */
  insertIfKeyNew(row: NewDeviceRow): Promise<boolean>;
  get(id: string): Promise<DeviceRow | undefined>;
  list(filter?: { userId?: string; state?: DeviceRow['state']; limit?: number }): Promise<DeviceRow[]>;
  /** Moves a device between states; `from` guards the transition. */
  setState(id: string, from: readonly DeviceRow['state'][], to: DeviceRow['state'], at: number): Promise<boolean>;
  /**
   * Stores a verified report and the device's new tier in one transaction. Group-committed:
   * reports recorded in the same tick share one transaction (one fsync); each resolves once
   * its transaction committed.
   */
  recordPosture(report: NewPostureReportRow): Promise<void>;
  latestPosture(deviceId: string): Promise<PostureReportRow | undefined>;
  insertServicePrincipal(row: NewServicePrincipalRow): Promise<void>;
  getServicePrincipal(id: string): Promise<ServicePrincipalRow | undefined>;
  listServicePrincipals(): Promise<ServicePrincipalRow[]>;
  setServicePrincipalState(id: string, state: ServicePrincipalRow['state'], at: number): Promise<boolean>;
}

export function devicesRepo(db: BetterSQLite3Database<typeof schema>): DevicesRepo {
  const guard = guarded('device store');
  const writePosture = (tx: Pick<typeof db, 'insert' | 'update'>, report: NewPostureReportRow) => {
    tx.insert(postureReports).values(report).run();
    tx.update(devices).set({ tier: report.tier, postureAt: report.receivedAt, updatedAt: report.receivedAt }).where(eq(devices.id, report.deviceId)).run();
  };
  let postureQueue: { report: NewPostureReportRow; resolve: () => void; reject: (err: unknown) => void }[] = [];
  const flushPosture = () => {
    const batch = postureQueue;
    postureQueue = [];
    try {
      db.transaction((tx) => {
        for (const p of batch) writePosture(tx, p.report);
      });
      for (const p of batch) p.resolve();
      return;
    } catch {
      // One bad row must not fail its neighbours: retry each alone.
    }
    for (const p of batch) guard('posture', () => db.transaction((tx) => writePosture(tx, p.report))).then(p.resolve, p.reject);
  };
  return {
    insert: (row) => guard('insert', () => void db.insert(devices).values(row).run()),
    insertIfKeyNew: (row) =>
      guard('insert', () =>
        db.transaction((tx) => {
          const taken = tx.select({ id: devices.id }).from(devices).where(eq(devices.publicKey, row.publicKey)).get();
          if (taken) return false;
          tx.insert(devices).values(row).run();
          return true;
        }),
      ),
    get: (id) => guard('get', () => db.select().from(devices).where(eq(devices.id, id)).get()),
    list: (filter = {}) =>
      guard('list', () => {
        const conds = [];
        if (filter.userId) conds.push(eq(devices.userId, filter.userId));
        if (filter.state) conds.push(eq(devices.state, filter.state));
        const q = db.select().from(devices);
        return (conds.length ? q.where(and(...conds)) : q).orderBy(desc(devices.createdAt)).limit(filter.limit ?? 500).all();
      }),
    setState: (id, from, to, at) =>
      guard('update', () => {
        const row = db.select({ state: devices.state }).from(devices).where(eq(devices.id, id)).get();
        if (!row || !from.includes(row.state)) return false;
        return db.update(devices).set({ state: to, updatedAt: at }).where(and(eq(devices.id, id), eq(devices.state, row.state))).run().changes > 0;
      }),
    recordPosture: (report) =>
      new Promise<void>((resolve, reject) => {
        postureQueue.push({ report, resolve, reject });
        if (postureQueue.length === 1) setImmediate(flushPosture);
      }),
    latestPosture: (deviceId) =>
      guard('posture', () => db.select().from(postureReports).where(eq(postureReports.deviceId, deviceId)).orderBy(desc(postureReports.receivedAt)).limit(1).get()),
    insertServicePrincipal: (row) => guard('insert', () => void db.insert(servicePrincipals).values(row).run()),
    getServicePrincipal: (id) => guard('get', () => db.select().from(servicePrincipals).where(eq(servicePrincipals.id, id)).get()),
    listServicePrincipals: () => guard('list', () => db.select().from(servicePrincipals).orderBy(desc(servicePrincipals.createdAt)).all()),
    setServicePrincipalState: (id, state, at) =>
      guard('update', () => db.update(servicePrincipals).set({ state, updatedAt: at }).where(eq(servicePrincipals.id, id)).run().changes > 0),
  };
}
