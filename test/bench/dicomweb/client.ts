// Load client for the dicomweb bench, run as its own process and driven over IPC: the same
// code for every path (plain HTTP to the upstream, radgate TLS, nginx TLS). Bodies are
// consumed by counting bytes, never buffered. One keep-alive Agent per path (maxSockets 64).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface PathSpec {
  /** `http://127.0.0.1:port` or `https://127.0.0.1:port`. */
  origin: string;
  tls?: { ca: string; cert: string; key: string; servername: string };
}

export interface StreamResult {
  status: number;
  bytes: number;
  ms: number;
  mibPerSec: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statusOther: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  bytesPerResponse: number;
  sockets: number;
}

export interface ClientCommand {
  id: number;
  cmd: 'stream' | 'load' | 'cpu' | 'tlsinfo' | 'close';
  path?: PathSpec;
  url?: string;
  accept?: string;
  concurrency?: number;
  durationMs?: number;
}

const agents = new Map<string, HttpAgent>();
const sockets = new Map<string, Set<unknown>>();

function agentFor(p: PathSpec): HttpAgent {
  let a = agents.get(p.origin);
  if (!a) {
    const o = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, keepAliveMsecs: 30_000, scheduling: 'fifo' as const };
    a = p.tls ? new HttpsAgent({ ...o, ca: p.tls.ca, cert: p.tls.cert, key: p.tls.key, servername: p.tls.servername }) : new HttpAgent(o);
    const seen = new Set<unknown>();
    sockets.set(p.origin, seen);
    const orig = a.createConnection.bind(a) as (...args: unknown[]) => unknown;
    (a as unknown as { createConnection: (...args: unknown[]) => unknown }).createConnection = (...args: unknown[]) => {
      const s = orig(...args);
      seen.add(s);
      return s;
    };
    agents.set(p.origin, a);
  }
  return a;
}

/** One GET; resolves after the last byte, with the byte count (body discarded as it arrives). */
function get(p: PathSpec, path: string, accept: string, onResponse?: (res: IncomingMessage) => void): Promise<{ status: number; bytes: number }> {
  const u = new URL(p.origin);
  return new Promise((resolve, reject) => {
    const opts = { host: u.hostname, port: Number(u.port), path, method: 'GET', agent: agentFor(p), headers: { accept }, ...(p.tls ? { servername: p.tls.servername } : {}) };
    const req = (p.tls ? httpsRequest : httpRequest)(opts, (res) => {
      onResponse?.(res);
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

async function stream(p: PathSpec, path: string, accept: string): Promise<StreamResult> {
  const t0 = performance.now();
  const r = await get(p, path, accept);
  const ms = performance.now() - t0;
  return { status: r.status, bytes: r.bytes, ms, mibPerSec: r.bytes / 1048576 / (ms / 1000) };
}

async function load(p: PathSpec, path: string, accept: string, concurrency: number, durationMs: number): Promise<LoadResult> {
  const lat: number[] = [];
  let errors = 0;
  let statusOther = 0;
  let bytes = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const s = performance.now();
      try {
        const r = await get(p, path, accept);
        if (r.status !== 200) statusOther++;
        bytes += r.bytes;
        lat.push(performance.now() - s);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (x: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(x * lat.length) - 1))]! : NaN);
  return { requests: lat.length, errors, statusOther, seconds, rps: lat.length / seconds, p50: q(0.5), p90: q(0.9), p99: q(0.99), bytesPerResponse: lat.length ? bytes / lat.length : 0, sockets: sockets.get(p.origin)?.size ?? 0 };
}

async function tlsInfo(p: PathSpec, path: string, accept: string): Promise<{ protocol: string | null; cipher: string; status: number; bytes: number }> {
  let info = { protocol: null as string | null, cipher: 'none' };
  const r = await get(p, path, accept, (res) => {
    const s = res.socket as TLSSocket;
    if (typeof s.getProtocol === 'function') info = { protocol: s.getProtocol(), cipher: s.getCipher().name };
  });
  return { ...info, status: r.status, bytes: r.bytes };
}

if (process.send && process.argv[2] === '--child') {
  process.on('message', (m: ClientCommand) => {
    const reply = (p: Promise<unknown>) =>
      p.then(
        (result) => process.send!({ id: m.id, ok: true, result }),
        (err: unknown) => process.send!({ id: m.id, ok: false, error: String((err as Error)?.message ?? err) }),
      );
    const accept = m.accept ?? '*/*';
    if (m.cmd === 'stream') void reply(stream(m.path!, m.url!, accept));
    else if (m.cmd === 'load') void reply(load(m.path!, m.url!, accept, m.concurrency ?? 64, m.durationMs ?? 5000));
    else if (m.cmd === 'tlsinfo') void reply(tlsInfo(m.path!, m.url!, accept));
    else if (m.cmd === 'cpu') void reply(Promise.resolve({ cpu: process.cpuUsage() }));
    else if (m.cmd === 'close') {
      for (const a of agents.values()) a.destroy();
      process.send!({ id: m.id, ok: true, result: null }, () => process.exit(0));
    }
  });
  process.send({ ready: true, pid: process.pid });
}
