// CA key files: 0600, written atomically, PKCS#8 encrypted at rest when a passphrase
// is configured. A key that group or others may read stops the CA from starting.
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { RadgateError } from '../errors/index.js';

/** Refuses a key file that is not a regular file or that group/others can access. */
export function assertKeyFilePrivate(file: string): void {
  const st = statSync(file);
  if (!st.isFile()) throw new RadgateError('ca-key-insecure', `CA key ${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new RadgateError(
      'ca-key-insecure',
      `CA key ${file} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; group and others must have no access (chmod 600 ${file})`,
    );
  }
}

export function readPrivateKey(file: string, passphrase: string | undefined): { key: KeyObject; encrypted: boolean } {
  assertKeyFilePrivate(file);
  const pem = readFileSync(file, 'utf8');
  const encrypted = pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  if (encrypted && passphrase === undefined) {
    throw new RadgateError('ca-unavailable', `CA key ${file} is encrypted; set ca.passphrase (RADGATE_CA__PASSPHRASE)`);
  }
  try {
    return { key: createPrivateKey(encrypted ? { key: pem, passphrase: passphrase! } : { key: pem }), encrypted };
  } catch (err) {
    const why = encrypted ? 'cannot be decrypted (wrong passphrase?)' : 'is not a readable private key';
    throw new RadgateError('ca-unavailable', `CA key ${file} ${why}`, { cause: err, detail: (err as Error).message });
  }
}

export function writePrivateKey(file: string, key: KeyObject, passphrase: string | undefined): void {
  const pem =
    passphrase === undefined
      ? key.export({ type: 'pkcs8', format: 'pem' })
      : key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
  writeFileAtomic(file, pem, 0o600);
}

/** Write-then-rename with fsync, so a crash never leaves a half-written file. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  chmodSync(tmp, mode); // the umask may have removed bits; never added any
  renameSync(tmp, file);
}
