// Opens a real CA over a real SQLite store in a throw-away directory.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditEventInput, AuditLog } from '../../src/audit/index.js';
import { openCa, type Ca } from '../../src/ca/index.js';
import { children, content, expectTag, readWhole, type Tlv } from '../../src/ca/derReader.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createInProcessBus, type EventBus, type RadgateEvent } from '../../src/events/index.js';
import { openStore, type Store } from '../../src/store/index.js';

export interface TestCa {
  ca: Ca;
  store: Store;
  bus: EventBus;
  config: Config;
  home: string;
  events: RadgateEvent[];
  close(): Promise<void>;
}

export function tempHome(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'radgate-ca-test-'));
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}

export function testConfig(home: string, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({ env: {}, cwd: home, overrides: { home, ...overrides } });
}

export interface OpenTestCaOptions {
  overrides?: Record<string, unknown>;
  clock?: () => Date;
  bus?: EventBus;
  store?: Store;
  audit?: Pick<AuditLog, 'append'>;
}

export async function openTestCa(home: string, o: OpenTestCaOptions = {}): Promise<TestCa> {
  const config = testConfig(home, o.overrides);
  const store = o.store ?? (await openStore({ location: config.paths.store }));
  const events: RadgateEvent[] = [];
  const bus = o.bus ?? createInProcessBus((err) => {
    throw err;
  });
  bus.onAny((e) => void events.push(e));
  let ca: Ca;
  try {
    ca = await openCa({ config, store, bus, ...(o.clock ? { clock: o.clock } : {}), ...(o.audit ? { audit: o.audit } : {}) });
  } catch (err) {
    if (!o.store) await store.close();
    throw err;
  }
  return {
    ca,
    store,
    bus,
    config,
    home,
    events,
    async close() {
      ca.close();
      await bus.drain();
      if (!o.store) await store.close();
    },
  };
}

export interface CrlEntry {
  serial: string;
  reasonCode: number | undefined;
}

/** Revoked serials and reason codes of a DER CRL, read independently of buildCrl. */
export function crlEntries(der: Buffer): CrlEntry[] {
  const [tbs] = children(der, readWhole(der, 0x30));
  const list = children(der, expectTag(tbs, 0x30, 'tbsCertList')).find((t: Tlv, i: number) => i >= 4 && t.tag === 0x30);
  if (!list) return [];
  return children(der, list).map((entry) => {
    const [serial, , exts] = children(der, entry);
    let reasonCode: number | undefined;
    if (exts) {
      for (const ext of children(der, exts)) {
        const f = children(der, ext);
        const value = content(der, f[f.length - 1]!);
        if (content(der, f[0]!).toString('hex') === '551d15') reasonCode = value[2];
      }
    }
    return { serial: content(der, serial!).toString('hex').replace(/^00(?=[89a-f])/, '').toUpperCase(), reasonCode };
  });
}

/** An audit log that keeps what it is given. */
export function memoryAudit(): Pick<AuditLog, 'append'> & { events: AuditEventInput[] } {
  const events: AuditEventInput[] = [];
  return {
    events,
    append: async (e) => {
      events.push(e);
      return { seq: events.length, hash: '' };
    },
  };
}
