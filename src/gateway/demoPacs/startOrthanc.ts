// Starts a real Orthanc on fresh loopback ports as the PACS peer of tests and the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log/index.js';
import { DemoPacsError } from './DemoPacsError.js';
import { ORTHANC_BINARY, isValidAeTitle, orthancConfig } from './orthancConfig.js';

export interface StartOrthancOptions {
  /** Working directory: config, storage, index and logs go here (the caller removes it). */
  dir: string;
  httpPort: number;
  dicomPort: number;
  aet: string;
  /** The only AE allowed to talk DICOM to this PACS; default 'BROKER'. */
  brokerAet?: string;
  /** Where this PACS reaches the broker AE (C-MOVE destinations); default 104. */
  brokerPort?: number;
  /** REST users; the first one is used by `authorization` and `loadStudies`. */
  users: Readonly<Record<string, string>>;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** Readiness timeout in ms; default 15 000. */
  readyTimeoutMs?: number;
}

export interface OrthancHandle {
  /** Base URL on 127.0.0.1, without trailing slash. */
  readonly httpUrl: string;
  readonly dicomPort: number;
  readonly aet: string;
  readonly brokerAet: string;
  readonly pid: number;
  /** `Basic ...` for the first registered user. */
  readonly authorization: string;
  /** Milliseconds from spawn to a successful authenticated GET /system. */
  readonly startMs: number;
  /** SIGTERM, wait for exit (SIGKILL after 8 s); resolves with the milliseconds it took. */
  stop(): Promise<number>;
}

const KILL_AFTER_MS = 8_000;
const POLL_MS = 25;
const LOG_TAIL_LINES = 40;

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export function orthancInstalled(): boolean {
  try {
    accessSync(ORTHANC_BINARY, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startOrthanc(options: StartOrthancOptions): Promise<OrthancHandle> {
  if (!orthancInstalled()) {
    throw new DemoPacsError('orthanc-not-installed', `Orthanc is not installed: run deploy/setup.sh (missing ${ORTHANC_BINARY})`);
  }
  const brokerAet = options.brokerAet ?? 'BROKER';
  for (const [name, aet] of [['aet', options.aet], ['brokerAet', brokerAet]] as const) {
    if (!isValidAeTitle(aet)) throw new DemoPacsError('orthanc-start-failed', `${name}: not a valid AE title`);
  }
  const first = Object.entries(options.users)[0];
  if (!first) throw new DemoPacsError('orthanc-start-failed', 'users: at least one REST user is required');
  const authorization = basicAuth(first[0], first[1]);

  const dir = path.resolve(options.dir);
  const storageDirectory = path.join(dir, 'storage');
  const indexDirectory = path.join(dir, 'index');
  const logDir = dir;
  mkdirSync(storageDirectory, { recursive: true, mode: 0o700 });
  mkdirSync(indexDirectory, { recursive: true, mode: 0o700 });
  const configPath = path.join(dir, 'orthanc.json');
  const config = orthancConfig({
    httpPort: options.httpPort,
    dicomPort: options.dicomPort,
    aet: options.aet,
    brokerAet,
    brokerPort: options.brokerPort ?? 104,
    users: options.users,
    storageDirectory,
    indexDirectory,
  });
  // The config holds REST passwords: owner-only.
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });

  const httpUrl = `http://127.0.0.1:${options.httpPort}`;
  const started = performance.now();
  const child = spawn(ORTHANC_BINARY, [`--logdir=${logDir}`, configPath], {
    // Debian's DCMTK inside Orthanc leaves Nagle on unless told: ~40 ms per PDU exchange.
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > LOG_TAIL_LINES) output.splice(0, output.length - LOG_TAIL_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  // A crashed test run must not leave Orthanc behind.
  const killOnExit = () => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const tail = () => logTail(logDir, output);
  try {
    await waitReady({ httpUrl, authorization, child, exited, spawnError, timeoutMs: options.readyTimeoutMs ?? 15_000, tail });
  } catch (err) {
    if (!hasExited) await terminate(child, exited);
    process.removeListener('exit', killOnExit);
    throw err;
  }
  const startMs = Math.round(performance.now() - started);
  const pid = child.pid as number;
  options.log?.info({ pid, httpUrl, dicomPort: options.dicomPort, aet: options.aet, startMs }, 'orthanc started');

  let stopping: Promise<number> | undefined;
  return {
    httpUrl,
    dicomPort: options.dicomPort,
    aet: options.aet,
    brokerAet,
    pid,
    authorization,
    startMs,
    stop() {
      stopping ??= (async () => {
        const t = performance.now();
        if (!hasExited) await terminate(child, exited);
        process.removeListener('exit', killOnExit);
        const ms = Math.round(performance.now() - t);
        options.log?.info({ pid, stopMs: ms }, 'orthanc stopped');
        return ms;
      })();
      return stopping;
    },
  };
}

interface WaitReadyInput {
  httpUrl: string;
  authorization: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  spawnError: Promise<Error>;
  timeoutMs: number;
  tail: () => string;
}

async function waitReady(input: WaitReadyInput): Promise<void> {
  const deadline = performance.now() + input.timeoutMs;
  let failure: DemoPacsError | undefined;
  void input.exited.then(({ code, signal }) => {
    failure ??= new DemoPacsError('orthanc-start-failed', `Orthanc exited before it was ready (code ${code}, signal ${signal})`, {
      detail: input.tail(),
    });
  });
  void input.spawnError.then((cause) => {
    failure ??= new DemoPacsError('orthanc-start-failed', `Orthanc could not be started: ${cause.message}`, { cause, detail: input.tail() });
  });
  let lastStatus = 'no answer';
  while (performance.now() < deadline) {
    if (failure) throw withTail(failure);
    try {
      const res = await fetch(`${input.httpUrl}/system`, {
        headers: { authorization: input.authorization },
        signal: AbortSignal.timeout(1_000),
      });
      await res.arrayBuffer();
      if (res.ok) return;
      lastStatus = `HTTP ${res.status}`;
      // A 401 means Orthanc is up but rejects our user: waiting will not fix it.
      if (res.status === 401) {
        throw new DemoPacsError('orthanc-start-failed', 'Orthanc rejected the registered user on GET /system', { detail: input.tail() });
      }
    } catch (err) {
      if (err instanceof DemoPacsError) throw withTail(err);
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (failure) throw withTail(failure);
  throw withTail(
    new DemoPacsError('orthanc-start-timeout', `Orthanc was not ready after ${input.timeoutMs} ms (last: ${lastStatus})`, { detail: input.tail() }),
  );
}

/** Put the log tail into the message too, so a failing test shows why Orthanc did not come up. */
function withTail(err: DemoPacsError): DemoPacsError {
  if (!err.detail || err.message.includes('\n')) return err;
  const e = new DemoPacsError(err.code, `${err.message}\n--- Orthanc log tail ---\n${err.detail}`, { detail: err.detail, cause: err.cause });
  return e;
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function logTail(logDir: string, output: readonly string[]): string {
  const lines = [...output];
  try {
    const logs = readdirSync(logDir)
      .filter((f) => f.endsWith('.log') || f.includes('.log.'))
      .map((f) => path.join(logDir, f))
      .filter((f) => statSync(f).isFile())
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
    const newest = logs.at(-1);
    if (newest) lines.push(...readFileSync(newest, 'utf8').split('\n').filter(Boolean));
  } catch {
    // the log dir may not exist yet
  }
  // REST passwords live in the config, not in the log; still never echo Authorization lines.
  return lines
    .filter((l) => !/authorization/i.test(l))
    .slice(-LOG_TAIL_LINES)
    .join('\n');
}
