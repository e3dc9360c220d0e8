// `npm run bench -- session`: latency of validating a session cookie and getting the
// policy principal (plus context.auth) on a warm cache, against a bare SHA-256 + Map
// lookup side by side (the floor any hashed-token scheme pays). The cold path (SQLite
// lookup by token hash) is reported for scale. Audit is a no-op sink; nothing fails here.
import { sha256Hex } from '../../src/audit/index.js';
import { createInProcessBus } from '../../src/events/index.js';
import { authContext, authFacts, createSessionManager, userFromRow } from '../../src/identity/sessions/index.js';
import { openStore } from '../../src/store/index.js';
import { flushJson, line, percentile, record, round } from './report.js';

const BENCH = 'session';
const NOOP_SINK = { append: () => Promise.resolve({ seq: 0, hash: '' }) };
const SESSIONS = 1_000;

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const warmN = quick ? 20_000 : 200_000;
  const coldN = quick ? 2_000 : 20_000;
  const store = await openStore({ location: ':memory:' });
  const bus = createInProcessBus(() => undefined);
  const now = Date.now();
  const timeouts = { idleSeconds: 1800, absoluteSeconds: 12 * 3600, agentAbsoluteSeconds: 12 * 3600 };
  const warm = createSessionManager({ store, audit: NOOP_SINK, bus, timeouts, now: () => now, cacheTtlMs: 3600_000 });
  const cold = createSessionManager({ store, audit: NOOP_SINK, bus, timeouts, now: () => now, cacheTtlMs: 0 });

  const tokens: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const id = `user-${i}`;
    await store.users.upsertFromIdp({
      id,
      issuer: 'https://idp.example',
      subject: id,
      kind: 'workforce',
      organization: 'st-mary',
      department: 'radiology',
      roles: JSON.stringify(['clinician']),
      createdAt: now,
      updatedAt: now,
    });
    const user = userFromRow((await store.users.get(id))!);
    const { token } = await warm.createSession({ user, kind: 'browser', idp: 'hospital', amr: ['oidc'], idpSid: null, oidcAt: now, state: 'active', now });
    tokens.push(token);
  }
  line(`session: ${SESSIONS} live sessions in an in-memory store; ${warmN} warm and ${coldN} cold validations; node ${process.version}`);

  // Warm: validate + principal (returned by validation, cached per user).
  for (const t of tokens) await warm.validateSessionToken(t, { now });
  const warmSamples = await timeAsync(warmN, async (i) => {
    const v = await warm.validateSessionToken(tokens[i % SESSIONS]!, { now });
    if (v.principal.uid.id !== v.user.id) throw new Error('principal mismatch');
  });
  // Warm plus the policy's context.auth (what a gate builds per request).
  const warmCtx = await timeAsync(warmN, async (i) => {
    const v = await warm.validateSessionToken(tokens[i % SESSIONS]!, { now });
    if (authContext(authFacts(v.session, now)).ageSeconds < 0) throw new Error('age');
  });
  // Baseline: the bare floor of a hashed-token lookup.
  const map = new Map(tokens.map((t) => [sha256Hex(t), { id: t.length }]));
  const baseline = await timeAsync(warmN, async (i) => {
    if (map.get(sha256Hex(tokens[i % SESSIONS]!)) === undefined) throw new Error('miss');
  });
  const baselineSync = timeSync(warmN, (i) => {
    if (map.get(sha256Hex(tokens[i % SESSIONS]!)) === undefined) throw new Error('miss');
  });
  const coldSamples = await timeAsync(coldN, async (i) => {
    await cold.validateSessionToken(tokens[i % SESSIONS]!, { now });
  });

  const base = { baseline: 'sha256 + Map.get (awaited)', baseline_value: undefined as number | undefined };
  record({ bench: BENCH, metric: 'validate_warm_p50', unit: 'us', value: warmSamples.p50, ...base, baseline_value: baseline.p50, note: 'validateSessionToken + principal, cache hit' });
  record({ bench: BENCH, metric: 'validate_warm_p99', unit: 'us', value: warmSamples.p99, ...base, baseline_value: baseline.p99 });
  record({ bench: BENCH, metric: 'validate_warm_with_auth_context_p50', unit: 'us', value: warmCtx.p50, ...base, baseline_value: baseline.p50 });
  record({ bench: BENCH, metric: 'validate_warm_with_auth_context_p99', unit: 'us', value: warmCtx.p99, ...base, baseline_value: baseline.p99 });
  record({ bench: BENCH, metric: 'baseline_sync_p50', unit: 'us', value: baselineSync.p50, note: 'sha256 + Map.get without await' });
  record({ bench: BENCH, metric: 'validate_cold_p50', unit: 'us', value: coldSamples.p50, ...base, baseline_value: baseline.p50, note: 'cache off: SQLite by token hash + user row' });
  record({ bench: BENCH, metric: 'validate_cold_p99', unit: 'us', value: coldSamples.p99, ...base, baseline_value: baseline.p99 });
  warm.close();
  cold.close();
  await store.close();
  flushJson();
}

async function timeAsync(n: number, fn: (i: number) => Promise<void>) {
  for (let i = 0; i < Math.min(n, 2_000); i++) await fn(i);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}

function timeSync(n: number, fn: (i: number) => void) {
  for (let i = 0; i < Math.min(n, 2_000); i++) fn(i);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}
