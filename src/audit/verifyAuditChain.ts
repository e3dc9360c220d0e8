// Proves the audit chain: every event hashes to its stored hash, links to its predecessor
// and sits at the next seq; every checkpoint is signed by a known key and matches the
// event at its seq. Streams the chain, so memory stays bounded; stops at the first fault.
import type { KeyObject } from 'node:crypto';
import type { AuditRepo, AuditRow, CheckpointRow } from '../store/index.js';
import { canonicalJson } from './canonicalJson.js';
import { checkpointKeyId } from './checkpointKey.js';
import { GENESIS_HASH, hashEvent } from './hashEvent.js';
import { verifyCheckpointSignature } from './signCheckpoint.js';
import type { AuditChainProblem, AuditVerifyResult } from './types.js';

export interface AuditChainSource {
  audit: Pick<AuditRepo, 'iterate' | 'listCheckpoints'>;
}

/** Rows read past a broken link to tell a reordering from a removal. */
const REORDER_WINDOW = 1024;

interface Fault {
  seq: number;
  problem: AuditChainProblem;
  message: string;
}

/**
 * Verifies the chain in `source` against checkpoints signed by any of `publicKeys`.
 * The summary names the first bad seq and a stable problem code.
 */
export async function verifyAuditChain(source: AuditChainSource, publicKeys: KeyObject | readonly KeyObject[]): Promise<AuditVerifyResult> {
  const keys = new Map<string, KeyObject>();
  for (const k of Array.isArray(publicKeys) ? publicKeys : [publicKeys as KeyObject]) keys.set(checkpointKeyId(k), k);

  const checkpoints = await source.audit.listCheckpoints();
  let signatureFault: Fault | undefined;
  const trusted = new Map<number, CheckpointRow[]>();
  let lastCheckpointSeq = 0;
  for (const cp of checkpoints) {
    const key = keys.get(cp.keyId);
    const fault: Fault | undefined = !key
      ? { seq: cp.seq, problem: 'checkpoint-key-unknown', message: `checkpoint ${cp.id} at seq ${cp.seq} is signed by unknown key ${cp.keyId}` }
      : !verifyCheckpointSignature(cp, key)
        ? { seq: cp.seq, problem: 'checkpoint-signature-invalid', message: `checkpoint ${cp.id} at seq ${cp.seq} has an invalid signature` }
        : undefined;
    if (fault) {
      if (!signatureFault || fault.seq < signatureFault.seq) signatureFault = fault;
      continue;
    }
    const atSeq = trusted.get(cp.seq);
    if (atSeq) atSeq.push(cp);
    else trusted.set(cp.seq, [cp]);
    if (cp.seq > lastCheckpointSeq) lastCheckpointSeq = cp.seq;
  }

  let events = 0;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  let matched = 0;
  let chainFault: Fault | undefined;
  const rows = source.audit.iterate(0)[Symbol.asyncIterator]();
  try {
    for (let r = await rows.next(); !r.done; r = await rows.next()) {
      const row = r.value;
      if (signatureFault && row.seq > signatureFault.seq) break;
      const expected = lastSeq + 1;
      if (row.seq !== expected) {
        chainFault = { seq: expected, problem: 'seq-gap', message: `event ${expected} is missing (the next event is ${row.seq})` };
      } else if (row.prevHash !== lastHash) {
        chainFault = (await foundAhead(rows, row.prevHash))
          ? { seq: row.seq, problem: 'reordered', message: `event ${row.seq} is out of order: its predecessor appears later in the chain` }
          : { seq: row.seq, problem: 'prev-hash-mismatch', message: `event ${row.seq} does not link to event ${lastSeq}: events were removed or inserted, or event ${lastSeq} was rewritten` };
      } else if (hashEvent(row) !== row.hash) {
        chainFault = { seq: row.seq, problem: 'event-hash-mismatch', message: `event ${row.seq} does not match its hash: it was edited` };
      } else if (!isCanonical(row.detail)) {
        chainFault = { seq: row.seq, problem: 'detail-not-canonical', message: `event ${row.seq} has a detail that is not canonical JSON` };
      } else {
        const cps = trusted.get(row.seq);
        const bad = cps?.find((cp) => cp.hash !== row.hash);
        if (bad) {
          chainFault = { seq: row.seq, problem: 'checkpoint-mismatch', message: `event ${row.seq} differs from checkpoint ${bad.id}: the chain was rewritten` };
        } else if (cps) {
          matched += cps.length;
        }
      }
      if (chainFault) break;
      events++;
      lastSeq = row.seq;
      lastHash = row.hash;
    }
  } finally {
    await rows.return?.();
  }
  if (!chainFault && !(signatureFault && signatureFault.seq <= lastSeq) && lastCheckpointSeq > lastSeq) {
    chainFault = { seq: lastSeq + 1, problem: 'truncated', message: `the chain ends at seq ${lastSeq}, before its checkpoint at seq ${lastCheckpointSeq}: events were cut off` };
  }

  const fault = chainFault && (!signatureFault || chainFault.seq <= signatureFault.seq) ? chainFault : signatureFault;
  const result: AuditVerifyResult = {
    ok: !fault,
    events,
    lastSeq,
    lastHash,
    checkpoints: checkpoints.length,
    checkpointsMatched: matched,
    lastCheckpointSeq,
    unanchored: Math.max(0, lastSeq - lastCheckpointSeq),
  };
  if (fault) {
    result.firstBadSeq = fault.seq;
    result.problem = fault.problem;
    result.message = fault.message;
  }
  return result;
}

/** True when a row within the next REORDER_WINDOW rows has hash `hash`. Consumes them. */
async function foundAhead(rows: AsyncIterator<AuditRow>, hash: string): Promise<boolean> {
  for (let i = 0; i < REORDER_WINDOW; i++) {
    const r = await rows.next();
    if (r.done) return false;
    if (r.value.hash === hash) return true;
  }
  return false;
}

function isCanonical(detail: string): boolean {
  try {
    return canonicalJson(JSON.parse(detail)) === detail;
  } catch {
    return false;
  }
}
