// The real machine behind the Probe interface: fs reads and execFile (never a shell),
// each command bounded by a timeout and an output cap.
import { execFile } from 'node:child_process';
import { access, readFile, stat } from 'node:fs/promises';
import type { CommandResult, Probe } from './types.js';

const TIMEOUT_MS = 5_000;
const MAX_OUTPUT = 4 * 1024 * 1024;
const MAX_FILE = 1024 * 1024;

export function systemProbe(): Probe {
  return {
    platform: process.platform,
    readText: async (file) => (await readSmall(file))?.toString('utf8'),
    readBytes: readSmall,
    async mtimeMs(file) {
      try {
        return (await stat(file)).mtimeMs;
      } catch {
        return undefined;
      }
    },
    async exists(file) {
      try {
        await access(file);
        return true;
      } catch {
        return false;
      }
    },
    run: runCommand,
    env: process.env,
    now: Date.now,
  };
}

async function readSmall(file: string): Promise<Buffer | undefined> {
  try {
    const buf = await readFile(file);
    return buf.length > MAX_FILE ? buf.subarray(0, MAX_FILE) : buf;
  } catch {
    return undefined;
  }
}

export function runCommand(cmd: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: process.env.HOME ?? '' }, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, stdout });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
        if (e.code === 'ENOENT') return resolve({ ok: false, reason: 'not-installed', detail: `${cmd} not found` });
        if (e.killed) return resolve({ ok: false, reason: 'timeout', detail: `${cmd} did not finish in ${TIMEOUT_MS} ms` });
        const text = `${stderr}`.trim().split('\n')[0]?.slice(0, 200) ?? '';
        const denied = /permission denied|operation not permitted|must be root|you must be root/i.test(stderr);
        resolve({ ok: false, reason: denied ? 'denied' : 'failed', detail: text || `exit ${String(e.code)}` });
      },
    );
  });
}
