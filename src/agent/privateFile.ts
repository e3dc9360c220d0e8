// Files only their owner may read: written atomically with mode 0600, read only when
// no one else could have read (or changed) them. Symlinks are refused.
import { closeSync, constants, fstatSync, fchmodSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AgentError } from './AgentError.js';

const MAX_BYTES = 1024 * 1024;

export function writePrivateFile(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/**
 * Reads a file the current user owns and whose mode has none of `forbidden` set
 * (0o077 for secrets: no group/other access at all). Undefined when it does not exist.
 */
export function readPrivateFile(file: string, forbidden: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new AgentError('insecure-file', `${file} is a symbolic link; refusing to read it`);
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new AgentError('insecure-file', `${file} is not a regular file`);
    if (process.platform !== 'win32') {
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
        throw new AgentError('insecure-file', `${file} belongs to another user; refusing to use it`);
      }
      if ((st.mode & forbidden) !== 0) {
        const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
        throw new AgentError('insecure-file', `${file} has mode ${mode}: others could read or change it. Run \`chmod 600 ${file}\` if it is yours, or log in again`);
      }
    }
    if (st.size > MAX_BYTES) throw new AgentError('bad-file', `${file} is larger than expected`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function removeFile(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
