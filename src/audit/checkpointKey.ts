// The Ed25519 key that signs audit checkpoints: created on first use, kept 0600 in the
// radgate home, refused when others can read it. The public half is exported beside it.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RadgateError, wrapError } from '../errors/index.js';
import { sha256Hex } from './sha256Hex.js';

export const CHECKPOINT_KEY_FILE = 'audit-checkpoint.key';
export const CHECKPOINT_PUBLIC_KEY_FILE = 'audit-checkpoint.pub';
/** Hex digits of SHA-256(raw public key) that name a checkpoint key. */
export const KEY_ID_HEX_LENGTH = 16;

export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** keyId: SHA-256 of the raw 32-byte Ed25519 public key, first 16 hex digits. */
export function checkpointKeyId(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new RadgateError('audit-unavailable', 'audit checkpoint key must be Ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new RadgateError('audit-unavailable', 'audit checkpoint key has no public part');
  return sha256Hex(Buffer.from(x, 'base64url')).slice(0, KEY_ID_HEX_LENGTH);
}

/** Loads `<home>/audit-checkpoint.key`, creating it (and the .pub) when absent. */
export function loadOrCreateCheckpointKey(home: string): CheckpointKey {
  const keyFile = path.join(home, CHECKPOINT_KEY_FILE);
  let privateKey: KeyObject | undefined;
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    privateKey = createKeyFile(keyFile);
  } catch (err) {
    throw wrapError('audit-unavailable', `cannot create the audit checkpoint key ${keyFile}`, err);
  }
  privateKey ??= readPrivateKey(keyFile);
  const publicKey = createPublicKey(privateKey);
  exportPublicKey(path.join(home, CHECKPOINT_PUBLIC_KEY_FILE), publicKey);
  return { privateKey, publicKey, keyId: checkpointKeyId(publicKey) };
}

/**
 * Reads an Ed25519 public key (SPKI PEM). `file` may be the radgate home, in which case
 * `audit-checkpoint.pub` inside it is read.
 */
export function loadCheckpointPublicKey(file: string): KeyObject {
  let target = file;
  let key: KeyObject;
  try {
    if (statSync(file).isDirectory()) target = path.join(file, CHECKPOINT_PUBLIC_KEY_FILE);
    key = createPublicKey(readFileSync(target, 'utf8'));
  } catch (err) {
    throw wrapError('audit-unavailable', `cannot read the audit checkpoint public key ${target}`, err);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RadgateError('audit-unavailable', `${target} is not an Ed25519 public key`);
  return key;
}

/**
 * Writes a new key, mode 0600, atomically: a fully written temporary file is hard-linked
 * into place, which fails when another process won the race. Undefined when a key exists.
 */
function createKeyFile(keyFile: string): KeyObject | undefined {
  if (existsSync(keyFile)) return undefined;
  const { privateKey } = generateKeyPairSync('ed25519');
  const tmp = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
  return privateKey;
}

function readPrivateKey(keyFile: string): KeyObject {
  let key: KeyObject;
  try {
    const st = lstatSync(keyFile);
    if (!st.isFile()) throw new RadgateError('audit-unavailable', `audit checkpoint key ${keyFile} is not a regular file`);
    // A signing key others can read lets them forge checkpoints: refuse, never repair silently.
    if ((st.mode & 0o077) !== 0) {
      throw new RadgateError('audit-key-insecure', `audit checkpoint key ${keyFile} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    key = createPrivateKey(readFileSync(keyFile, 'utf8'));
  } catch (err) {
    throw wrapError('audit-unavailable', `cannot load the audit checkpoint key ${keyFile}`, err);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RadgateError('audit-unavailable', `audit checkpoint key ${keyFile} is not Ed25519`);
  return key;
}

/** Keeps the exported public key in step with the private key (atomic replace). */
function exportPublicKey(pubFile: string, publicKey: KeyObject): void {
  const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
  try {
    if (readFileSync(pubFile, 'utf8') === pem) return;
  } catch {
    // absent or unreadable: write it
  }
  const tmp = `${pubFile}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, pem);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, pubFile);
  } catch (err) {
    throw wrapError('audit-unavailable', `cannot write the audit checkpoint public key ${pubFile}`, err);
  }
}
