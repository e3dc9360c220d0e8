import canonicalizePkg from 'canonicalize';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH, verifyAuditChain, verifyCheckpointSignature, type AuditReceipt } from '../../src/audit/index.js';
import { openStore, type AuditRepo, type AuditRow } from '../../src/store/index.js';
import { event, manualScheduler, openLog, testEnv, type TestEnv } from './helpers.js';

// canonicalize is CommonJS (`module.exports = fn`); its .d.ts declares an ES default export.
const canonicalize = canonicalizePkg as unknown as (input: unknown) => string | undefined;

let env: TestEnv;
beforeEach(async () => {
  env = await testEnv();
});
afterEach(async () => {
  await env.cleanup();
});

const allRows = async (e: TestEnv = env): Promise<AuditRow[]> => e.store.audit.query({ order: 'asc', limit: 10_000 });
const settle = () => new Promise((r) => setImmediate(r));

describe('audit log: hash chain', () => {
  it('hashes each event as SHA-256 of the RFC 8785 encoding of {seq,time,type,actor,outcome,detail,prevHash}, starting from 64 zeros', async () => {
    const clock = () => new Date('2026-05-06T07:08:09.010Z');
    const log = await openLog(env, { clock });
    const receipts: AuditReceipt[] = [];
    for (let i = 0; i < 3; i++) receipts.push(await log.append(event(i)));
    const rows = await allRows();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]!.prevHash).toBe('0'.repeat(64));
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    rows.forEach((r, i) => {
      // Independent recomputation with the canonicalize package and createHash.
      const { hash, ...fields } = r;
      const expected = createHash('sha256').update(canonicalize({ ...fields, detail: JSON.parse(r.detail) })!).digest('hex');
      expect(hash).toBe(expected);
      expect(r.detail).toBe(canonicalize(event(i).detail));
      expect(r.time).toBe('2026-05-06T07:08:09.010Z');
      if (i > 0) expect(r.prevHash).toBe(rows[i - 1]!.hash);
      expect(receipts[i]).toEqual({ seq: r.seq, hash: r.hash });
    });
    await log.close();
  });

  it('continues the chain after a restart from the head it reads on open', async () => {
    const log1 = await openLog(env);
    for (let i = 0; i < 5; i++) await log1.append(event(i));
    await log1.close();
    await env.store.close();
    await env.reopen();
    const log2 = await openLog(env);
    expect(log2.head().seq).toBe(5);
    const r = await log2.append(event(5));
    expect(r.seq).toBe(6);
    await log2.close();
    const rows = await allRows();
    expect(rows[5]!.prevHash).toBe(rows[4]!.hash);
    expect((await verifyAuditChain(env.store, log2.publicKey)).ok).toBe(true);
  });
});

describe('audit log: group commit', () => {
  it('commits concurrent appends in shared transactions with contiguous seqs, all durable after reopening', async () => {
    let transactions = 0;
    const audit: AuditRepo = { ...env.store.audit, appendBatch: (rows, cp) => (transactions++, env.store.audit.appendBatch(rows, cp)) };
    const log = await openLog({ ...env, store: { ...env.store, audit } });
    const raw = env.raw();
    const countStmt = raw.prepare('SELECT count(*) AS n FROM audit_events WHERE seq = ?');
    let visibleAtResolve = 0;
    const receipts = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        log.append(event(i)).then((r) => {
          // Resolution means committed: another connection already sees the row.
          visibleAtResolve += (countStmt.get(r.seq) as { n: number }).n;
          return r;
        }),
      ),
    );
    expect(visibleAtResolve).toBe(500);
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThanOrEqual(5);
    expect(receipts.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    // Seqs follow append order.
    expect(receipts.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(log.stats()).toMatchObject({ committed: 500, batches: transactions, failedBatches: 0, pending: 0 });
    await log.close();
    await env.store.close();
    const reopened = await env.reopen();
    expect(await reopened.audit.count()).toBe(500);
    const result = await verifyAuditChain(reopened, log.publicKey);
    expect(result).toMatchObject({ ok: true, events: 500, lastSeq: 500 });
  });

  it('splits a backlog larger than maxBatch into several transactions', async () => {
    const log = await openLog(env, { maxBatch: 100 });
    await Promise.all(Array.from({ length: 350 }, (_, i) => log.append(event(i))));
    expect(log.stats()).toMatchObject({ committed: 350, batches: 4 });
    await log.close();
  });

  it('flush resolves once every accepted append has settled', async () => {
    const log = await openLog(env);
    const appends = Array.from({ length: 20 }, (_, i) => log.append(event(i)));
    expect(log.stats().pending).toBe(20);
    await log.flush();
    expect(log.stats().pending).toBe(0);
    expect(await env.store.audit.count()).toBe(20);
    await Promise.all(appends);
    await log.close();
  });

  it('refuses appends beyond maxPending with audit-unavailable instead of queueing without bound', async () => {
    const log = await openLog(env, { maxPending: 2 });
    const a = log.append(event(1));
    const b = log.append(event(2));
    await expect(log.append(event(3))).rejects.toMatchObject({ code: 'audit-unavailable' });
    await Promise.all([a, b]);
    await log.close();
  });
});

describe('audit log: failures', () => {
  it('rejects the whole batch with audit-unavailable and keeps the head when the commit fails', async () => {
    let fail = true;
    const audit: AuditRepo = {
      ...env.store.audit,
      appendBatch: (rows, cp) => (fail ? Promise.reject(new Error('disk I/O error')) : env.store.audit.appendBatch(rows, cp)),
    };
    const errors: unknown[] = [];
    fail = false;
    const log = await openLog({ ...env, store: { ...env.store, audit } }, { onError: (e) => errors.push(e) });
    await log.append(event(0));
    await log.append(event(1));
    const before = log.head();
    fail = true;
    const results = await Promise.allSettled([log.append(event(2)), log.append(event(3)), log.append(event(4))]);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'audit-unavailable' } });
    expect(log.head()).toEqual(before);
    expect(log.stats()).toMatchObject({ failedBatches: 1, committed: 2 });
    expect(errors).toHaveLength(1);
    fail = false;
    // The chain continues from the durable head: the failed seqs are reused, nothing forks.
    expect((await log.append(event(5))).seq).toBe(3);
    await log.close();
    expect(await verifyAuditChain(env.store, log.publicKey)).toMatchObject({ ok: true, events: 3 });
  });

  it('rejects appends with audit-unavailable when the store is closed under it, without advancing the head', async () => {
    const log = await openLog(env);
    await log.append(event(0));
    const before = log.head();
    await env.store.close();
    await expect(log.append(event(1))).rejects.toMatchObject({ code: 'audit-unavailable' });
    expect(log.head()).toEqual(before);
    await expect(log.close()).rejects.toMatchObject({ code: 'audit-unavailable' });
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    const log = await openLog(env);
    await expect(log.append({ ...event(0), type: '' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(log.append({ ...event(0), detail: { n: 1n } })).rejects.toMatchObject({ code: 'bad-request' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(log.append({ ...event(0), detail: cyclic })).rejects.toMatchObject({ code: 'bad-request' });
    await log.flush();
    expect(await env.store.audit.count()).toBe(0);
    // A bad event in the same turn does not spoil its neighbours' batch.
    const [good, bad] = await Promise.allSettled([log.append(event(1)), log.append({ ...event(2), outcome: 'nope' as 'allow' })]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { seq: 1 } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'bad-request' } });
    await log.close();
  });

  it('refuses a second writer on the same store until the first closes', async () => {
    const opening = [openLog(env), openLog(env)];
    const [first, second] = await Promise.allSettled(opening);
    expect(first).toMatchObject({ status: 'fulfilled' });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'conflict' } });
    const log = (first as PromiseFulfilledResult<Awaited<ReturnType<typeof openLog>>>).value;
    await expect(openLog(env)).rejects.toMatchObject({ code: 'conflict' });
    await log.close();
    const again = await openLog(env);
    await again.close();
  });

  it('chains after the events of a second writer on the same database (another process) instead of failing', async () => {
    const log1 = await openLog(env);
    await log1.append(event(0));
    const other = await openStore({ location: env.dbFile });
    const log2 = await openLog({ ...env, store: other });
    await log2.append(event(1));
    await log2.append(event(2));
    // log1 still believes the head is seq 1; seq 2 is taken, so it re-reads the head and retries.
    expect(await log1.append(event(3))).toMatchObject({ seq: 4 });
    expect(log1.stats().failedBatches).toBe(0);
    await log2.close();
    await other.close();
    await log1.close();
    expect(await verifyAuditChain(env.store, log1.publicKey)).toMatchObject({ ok: true, events: 4 });
  });

  it('refuses appends after close', async () => {
    const log = await openLog(env);
    await log.close();
    await expect(log.append(event(0))).rejects.toMatchObject({ code: 'audit-unavailable' });
  });

  it('refuses to open on a chain cut behind its last checkpoint, rather than writing over the gap', async () => {
    const log = await openLog(env, { checkpointEvery: 10 });
    for (let i = 0; i < 10; i++) await log.append(event(i));
    await log.close();
    env.raw().prepare('DELETE FROM audit_events WHERE seq > 7').run();
    await expect(openLog(env)).rejects.toMatchObject({ code: 'audit-chain-broken' });
  });
});

describe('audit log: signed checkpoints', () => {
  it('checkpoints the head every checkpointEvery events and on close, signed by the key in home', async () => {
    const log = await openLog(env, { checkpointEvery: 10 });
    for (let i = 0; i < 25; i++) await log.append(event(i));
    expect((await env.store.audit.listCheckpoints()).map((c) => c.seq)).toEqual([10, 20]);
    await log.close();
    const cps = await env.store.audit.listCheckpoints();
    expect(cps.map((c) => c.seq)).toEqual([10, 20, 25]);
    const rows = await allRows();
    for (const cp of cps) {
      expect(cp.hash).toBe(rows[cp.seq - 1]!.hash);
      expect(cp.keyId).toBe(log.keyId);
      expect(verifyCheckpointSignature(cp, log.publicKey)).toBe(true);
    }
  });

  it('checkpoints the head every checkpointInterval seconds only when there were new events', async () => {
    const scheduler = manualScheduler();
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const log = await openLog(env, { checkpointIntervalSeconds: 60, scheduler, clock: () => new Date(now) });
    expect(scheduler.intervals).toEqual([60_000]);
    for (let i = 0; i < 3; i++) await log.append(event(i));
    expect(await env.store.audit.listCheckpoints()).toHaveLength(0);
    now += 60_000;
    scheduler.tick();
    await vi.waitFor(async () => expect(await env.store.audit.listCheckpoints()).toHaveLength(1));
    const [cp] = await env.store.audit.listCheckpoints();
    expect(cp).toMatchObject({ seq: 3, time: '2026-01-01T00:01:00.000Z' });
    // Nothing new: the next tick writes nothing.
    scheduler.tick();
    for (let i = 0; i < 5; i++) await settle();
    expect(await env.store.audit.listCheckpoints()).toHaveLength(1);
    await log.append(event(3));
    scheduler.tick();
    await vi.waitFor(async () => expect((await env.store.audit.listCheckpoints()).map((c) => c.seq)).toEqual([3, 4]));
    await log.close();
    // Nothing new since the last checkpoint: close adds none, and the timer is stopped.
    expect(await env.store.audit.listCheckpoints()).toHaveLength(2);
    scheduler.tick();
    await settle();
    expect(await env.store.audit.listCheckpoints()).toHaveLength(2);
  });

  it('writes no checkpoint for an empty chain', async () => {
    const log = await openLog(env);
    expect(await log.checkpoint()).toBeUndefined();
    await log.close();
    expect(await env.store.audit.listCheckpoints()).toHaveLength(0);
  });
});
