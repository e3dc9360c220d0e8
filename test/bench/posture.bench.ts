// `npm run bench -- posture [--count N] [--concurrency C] [--rounds R]`: verified posture
// reports per second through the real submitPosture (device lookup, jose ES256 verify,
// payload validation, single-use nonce take, tier rules, report + tier stored in SQLite,
// audit event group-committed), from pre-signed reports with pre-issued nonces.
// Baseline: bare crypto.verify (P-256, ieee-p1363) of the same signing inputs.
// Each figure is the median of R rounds (this machine is shared).
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compactVerify } from 'jose';
import { openAuditLog } from '../../src/audit/index.js';
import { devicesConfigSchema } from '../../src/config/devicesSchema.js';
import type { DevicesDeps } from '../../src/devices/devicesDeps.js';
import { issuePostureNonce } from '../../src/devices/postureNonce.js';
import { submitPosture } from '../../src/devices/submitPosture.js';
import { createInProcessBus } from '../../src/events/index.js';
import { openStore } from '../../src/store/index.js';
import { goodSignals } from '../devices/goodSignals.js';
import { flushJson, line, record, round } from './report.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects a positive integer`);
  return v;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function asyncRate(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (n / (performance.now() - started)) * 1000;
}

export async function main(args: string[]): Promise<void> {
  const count = arg(args, 'count', 2000);
  const concurrency = arg(args, 'concurrency', 32);
  const rounds = arg(args, 'rounds', 3);
  const home = mkdtempSync(path.join(os.tmpdir(), 'radgate-bench-posture-'));
  try {
    const store = await openStore({ location: path.join(home, 'radgate.db') });
    const audit = await openAuditLog({ store, home, checkpointEvery: 100_000, checkpointIntervalSeconds: 0 });
    const deps: DevicesDeps = {
      devices: devicesConfigSchema.parse({}),
      stepUpMaxAgeSeconds: 300,
      store,
      audit,
      bus: createInProcessBus(() => undefined),
      policy: { authorize: () => { throw new Error('not used'); } },
      ca: { issueFromCsr: () => Promise.reject(new Error('not used')), revokeWhere: () => Promise.resolve([]) },
      clock: Date.now,
    };
    // 16 devices of one user, each with its own key, so key parsing is not one cache hit.
    const DEVICES = 16;
    const keys = Array.from({ length: DEVICES }, () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
    for (let d = 0; d < DEVICES; d++) {
      const t = Date.now();
      await store.devices.insert({ id: `dev-${d}`, userId: 'u1', name: `d${d}`, publicKey: keys[d]!.publicKey.export({ type: 'spki', format: 'pem' }) as string, state: 'active', createdAt: t, updatedAt: t });
    }
    const prepare = async () => {
      const jws: string[] = [];
      for (let i = 0; i < count; i++) {
        const d = i % DEVICES;
        const { nonce } = await issuePostureNonce(store.challenges, { deviceId: `dev-${d}`, userId: 'u1', now: Date.now(), ttlSeconds: 60 });
        const input = `${b64({ alg: 'ES256', typ: 'radgate-posture+jwt' })}.${b64({ deviceId: `dev-${d}`, nonce, collectedAt: Date.now(), agentVersion: '0.1.0', signals: goodSignals })}`;
        jws.push(`${input}.${sign('sha256', Buffer.from(input), { key: keys[d]!.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`);
      }
      return jws;
    };

    const full: number[] = [];
    const joseOnly: number[] = [];
    const bare: number[] = [];
    let accepted = 0;
    for (let r = 0; r < rounds; r++) {
      const reports = await prepare();
      const parts = reports.map((j) => {
        const [h, p, s] = j.split('.');
        return { input: Buffer.from(`${h}.${p}`), sig: Buffer.from(s!, 'base64url') };
      });
      bare.push(
        (() => {
          const started = performance.now();
          for (let i = 0; i < count; i++) if (!verify('sha256', parts[i]!.input, { key: keys[i % DEVICES]!.publicKey, dsaEncoding: 'ieee-p1363' }, parts[i]!.sig)) throw new Error('baseline verify failed');
          return (count / (performance.now() - started)) * 1000;
        })(),
      );
      joseOnly.push(await asyncRate(count, concurrency, (i) => compactVerify(reports[i]!, keys[i % DEVICES]!.publicKey, { algorithms: ['ES256'] })));
      full.push(
        await asyncRate(count, concurrency, async (i) => {
          const res = await submitPosture(deps, 'u1', `dev-${i % DEVICES}`, { jws: reports[i] });
          if (res.tier === 'high') accepted++;
        }),
      );
    }
    if (accepted !== count * rounds) throw new Error(`only ${accepted} of ${count * rounds} reports were accepted`);
    const value = round(median(full), 1);
    const base = round(median(bare), 1);
    line(`posture: ${count} reports x ${rounds} rounds, concurrency ${concurrency}, ${DEVICES} devices; every report verified, nonce taken, tier computed, stored and audited`);
    record({ bench: 'posture', metric: 'jose compactVerify only', unit: 'reports/s', value: round(median(joseOnly), 1), baseline: 'crypto.verify ES256', baseline_value: base });
    record({ bench: 'posture', metric: 'verified posture reports', unit: 'reports/s', value, baseline: 'crypto.verify ES256', baseline_value: base, count, concurrency, rounds });
    await audit.close();
    await store.close();
    flushJson();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
