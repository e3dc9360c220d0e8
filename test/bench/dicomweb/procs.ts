// Process plumbing for the dicomweb bench: forked helpers driven by IPC request/reply,
// and per-process CPU time from /proc (utime + stime) to see who is busy in each phase.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../helpers/tmpHome.js';

export interface Helper {
  pid: number;
  ready: Record<string, unknown>;
  call<T>(msg: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Forks a TypeScript helper (`--child` entry) through tsx and waits for its ready message. */
export function forkHelper(file: string, args: string[] = []): Promise<Helper> {
  // Explicit execArgv: the helpers never inherit --cpu-prof or inspector flags of the bench.
  const child: ChildProcess = fork(file, ['--child', ...args], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const err = new Error(`${file} exited (${code})`);
      reject(err);
      for (const w of waiting.values()) w.reject(err);
    });
    child.on('message', (m: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (m.ready) {
        resolve({
          pid: child.pid!,
          ready: m as Record<string, unknown>,
          call: <T>(msg: Record<string, unknown>) =>
            new Promise<T>((res, rej) => {
              const id = next++;
              waiting.set(id, { resolve: res as (v: unknown) => void, reject: rej });
              child.send({ ...msg, id });
            }),
          close: async () => {
            if (child.exitCode !== null) return;
            const gone = new Promise<void>((r) => child.once('exit', () => r()));
            const id = next++;
            child.send({ cmd: 'close', id });
            await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
            if (child.exitCode === null) child.kill('SIGKILL');
          },
        });
        return;
      }
      const w = m.id !== undefined ? waiting.get(m.id) : undefined;
      if (!w) return;
      waiting.delete(m.id!);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error ?? 'helper failed'));
    });
  });
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK; // fields 14 and 15 of stat(5)
  } catch {
    return 0;
  }
}

export type Roles = Record<string, () => number[]>;

/** Runs `fn` and returns its result with each role's CPU seconds and the wall seconds it took. */
export async function withCpu<T>(roles: Roles, fn: () => Promise<T>): Promise<{ result: T; wall: number; cpu: Record<string, number> }> {
  const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const before = Object.fromEntries(Object.entries(roles).map(([k, pids]) => [k, sum(pids())]));
  const t0 = performance.now();
  const result = await fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu = Object.fromEntries(Object.entries(roles).map(([k, pids]) => [k, sum(pids()) - before[k]!]));
  return { result, wall, cpu };
}
