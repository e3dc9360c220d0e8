// Each tampering is done on the real database file with a raw connection, as an attacker
// with write access to the disk would.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashEvent, loadCheckpointPublicKey, signCheckpoint, verifyAuditChain, checkpointKeyId, type AuditRow } from '../../src/audit/index.js';
import { event, openLog, testEnv, type TestEnv } from './helpers.js';

let env: TestEnv;
let publicKey: KeyObject;
let db: Database.Database;

// 30 events, checkpoints at 10, 20, 30.
beforeEach(async () => {
  env = await testEnv();
  const log = await openLog(env, { checkpointEvery: 10 });
  for (let i = 0; i < 30; i++) await log.append(event(i));
  await log.close();
  publicKey = loadCheckpointPublicKey(env.home);
  db = env.raw();
});
afterEach(async () => {
  await env.cleanup();
});

const verify = () => verifyAuditChain(env.store, publicKey);
const row = (seq: number) =>
  db.prepare('SELECT seq, time, type, actor, outcome, detail, prev_hash AS prevHash, hash FROM audit_events WHERE seq = ?').get(seq) as AuditRow;
const put = (r: AuditRow) =>
  db.prepare('UPDATE audit_events SET time=@time, type=@type, actor=@actor, outcome=@outcome, detail=@detail, prev_hash=@prevHash, hash=@hash WHERE seq=@seq').run(r);
/** Rewrites events from `from` on with fresh hashes, as an attacker who knows the scheme can. */
const rehashFrom = (from: number) => {
  let prev = row(from - 1)?.hash ?? '0'.repeat(64);
  for (let s = from; row(s); s++) {
    const r = { ...row(s), prevHash: prev };
    r.hash = hashEvent(r);
    put(r);
    prev = r.hash;
  }
};

describe('verifyAuditChain', () => {
  it('accepts an intact chain and reports its size and checkpoints', async () => {
    expect(await verify()).toEqual({
      ok: true,
      events: 30,
      lastSeq: 30,
      lastHash: row(30).hash,
      checkpoints: 3,
      checkpointsMatched: 3,
      lastCheckpointSeq: 30,
      unanchored: 0,
    });
  });

  it('names an edited event by its seq (event-hash-mismatch)', async () => {
    db.prepare(`UPDATE audit_events SET detail = '{"i":6,"path":"/dicomweb/studies/other","status":200}' WHERE seq = 7`).run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'event-hash-mismatch', events: 6, lastSeq: 6 });
  });

  it('names an edited actor or outcome (event-hash-mismatch)', async () => {
    db.prepare(`UPDATE audit_events SET outcome = 'deny' WHERE seq = 3`).run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'event-hash-mismatch' });
  });

  it('names a deleted event by its missing seq (seq-gap)', async () => {
    db.prepare('DELETE FROM audit_events WHERE seq = 12').run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 12, problem: 'seq-gap' });
  });

  it('names a deleted first event (seq-gap at 1)', async () => {
    db.prepare('DELETE FROM audit_events WHERE seq = 1').run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 1, problem: 'seq-gap' });
  });

  it('names a deletion hidden by renumbering the later events (prev-hash-mismatch)', async () => {
    db.prepare('DELETE FROM audit_events WHERE seq = 12').run();
    for (let s = 13; s <= 30; s++) db.prepare('UPDATE audit_events SET seq = seq - 1 WHERE seq = ?').run(s);
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 12, problem: 'prev-hash-mismatch' });
  });

  it('names reordered events (reordered)', async () => {
    const a = row(15);
    const b = row(16);
    put({ ...b, seq: 15 });
    put({ ...a, seq: 16 });
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 15, problem: 'reordered' });
  });

  it('names an event moved further down the chain (reordered)', async () => {
    const moved = row(5);
    for (let s = 5; s < 9; s++) put({ ...row(s + 1), seq: s });
    put({ ...moved, seq: 9 });
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'reordered' });
  });

  it('names a truncated tail: the chain ends before the last checkpoint (truncated)', async () => {
    db.prepare('DELETE FROM audit_events WHERE seq > 25').run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 26, problem: 'truncated', events: 25, lastCheckpointSeq: 30 });
  });

  it('names a tail rewritten with valid hashes at the first checkpoint it contradicts (checkpoint-mismatch)', async () => {
    put({ ...row(14), outcome: 'deny' });
    rehashFrom(14);
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 20, problem: 'checkpoint-mismatch' });
  });

  it('names a truncated tail replaced by new events at the checkpoint (checkpoint-mismatch)', async () => {
    db.prepare('DELETE FROM audit_events WHERE seq > 25').run();
    for (let s = 26; s <= 30; s++) {
      const r = { ...row(25), seq: s, detail: `{"fake":${s}}` };
      db.prepare('INSERT INTO audit_events (seq, time, type, actor, outcome, detail, prev_hash, hash) VALUES (@seq, @time, @type, @actor, @outcome, @detail, @prevHash, @hash)').run(r);
    }
    rehashFrom(26);
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 30, problem: 'checkpoint-mismatch' });
  });

  it('names a checkpoint with a bad signature (checkpoint-signature-invalid)', async () => {
    const other = db.prepare('SELECT signature FROM audit_checkpoints WHERE seq = 10').get() as { signature: string };
    db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = 20').run(other.signature);
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 20, problem: 'checkpoint-signature-invalid' });
  });

  it('names a checkpoint moved to another seq (checkpoint-signature-invalid)', async () => {
    db.prepare('UPDATE audit_checkpoints SET seq = 25, hash = ? WHERE seq = 30').run(row(25).hash);
    db.prepare('DELETE FROM audit_events WHERE seq > 25').run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 25, problem: 'checkpoint-signature-invalid' });
  });

  it('names a checkpoint signed by a key it was not given (checkpoint-key-unknown)', async () => {
    const { privateKey, publicKey: otherPub } = generateKeyPairSync('ed25519');
    const forged = signCheckpoint({ seq: 25, hash: row(25).hash }, new Date(), { privateKey, publicKey: otherPub, keyId: checkpointKeyId(otherPub) });
    db.prepare('INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (@seq, @hash, @time, @keyId, @signature)').run(forged);
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 25, problem: 'checkpoint-key-unknown' });
    // Given both keys, the chain verifies.
    expect(await verifyAuditChain(env.store, [publicKey, otherPub])).toMatchObject({ ok: true, checkpoints: 4, checkpointsMatched: 4 });
  });

  it('reports the earliest fault when there are several', async () => {
    db.prepare('DELETE FROM audit_events WHERE seq > 25').run();
    db.prepare(`UPDATE audit_events SET actor = 'x' WHERE seq = 18`).run();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 18, problem: 'event-hash-mismatch' });
  });

  it('names a stored detail that is not canonical JSON even when its hash was recomputed (detail-not-canonical)', async () => {
    put({ ...row(30), detail: '{"status":200, "i":29}' });
    rehashFrom(30);
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 30, problem: 'detail-not-canonical' });
  });

  it('counts events after the last checkpoint as unanchored: cutting them is not detectable', async () => {
    db.prepare('DELETE FROM audit_checkpoints WHERE seq = 30').run();
    db.prepare('DELETE FROM audit_events WHERE seq > 25').run();
    expect(await verify()).toMatchObject({ ok: true, events: 25, lastCheckpointSeq: 20, unanchored: 5 });
  });
});
