// Signed checkpoints of the chain head: a chain shortened or rewritten behind a checkpoint
// no longer matches what the key signed.
import { sign, verify, type KeyObject } from 'node:crypto';
import type { CheckpointRow } from '../store/index.js';
import { canonicalJson } from './canonicalJson.js';
import type { CheckpointKey } from './checkpointKey.js';

/** The signed statement: "the event at `seq` has hash `hash`", made at `time` by `keyId`. */
export interface CheckpointStatement {
  seq: number;
  hash: string;
  time: string;
  keyId: string;
}

export type SignedCheckpoint = Omit<CheckpointRow, 'id'>;

/** The signed bytes: canonical JSON (RFC 8785) of {seq, hash, time, keyId}. */
export function checkpointCanonicalJson(s: CheckpointStatement): string {
  return canonicalJson({ seq: s.seq, hash: s.hash, time: s.time, keyId: s.keyId });
}

export function signCheckpoint(head: { seq: number; hash: string }, time: Date, key: CheckpointKey): SignedCheckpoint {
  const statement: CheckpointStatement = { seq: head.seq, hash: head.hash, time: time.toISOString(), keyId: key.keyId };
  const signature = sign(null, Buffer.from(checkpointCanonicalJson(statement)), key.privateKey).toString('base64');
  return { ...statement, signature };
}

/** True when `signature` is a valid Ed25519 signature by `publicKey` over the statement. */
export function verifyCheckpointSignature(cp: CheckpointStatement & { signature: string }, publicKey: KeyObject): boolean {
  const sig = Buffer.from(cp.signature, 'base64');
  // Ed25519 signatures are 64 bytes; also refuse base64 that does not round-trip (padding games).
  if (sig.length !== 64 || sig.toString('base64') !== cp.signature) return false;
  try {
    return verify(null, Buffer.from(checkpointCanonicalJson(cp)), publicKey, sig);
  } catch {
    return false;
  }
}
