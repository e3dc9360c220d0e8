// The built `radgate` CLI as an asynchronous child process: for tests whose broker runs
// in the test process (spawnSync would block the broker's event loop).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI } from './cli.js';

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `re` in stderr+stdout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function runCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    waitFor: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in: ${stderr}${stdout}`)), timeoutMs);
        const check = () => {
          const m = (stderr + stdout).match(re);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        child.stderr.on('data', check);
        child.stdout.on('data', check);
        check();
      }),
  };
}

export async function runCliToEnd(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = runCli(args, env);
  const status = await r.exited;
  return { status, stdout: r.stdout, stderr: r.stderr };
}
