// `npm run bench -- tunnel [--mb N] [--runs R] [--connects C]`: vendor tunnels.
//   tunnel_throughput: MB/s of a bulk upload through the whole path — local client →
//     `radgate tunnel` (agent process, local listener) → mTLS → tunnel gateway (broker
//     process: certificate, grant, policy, durable audit, node:net pipe) → upstream sink.
//     Baselines: HAProxy 2.6 `mode tcp` with the same two hops in one haproxy process
//     (plain local frontend → TLS with a client certificate → TLS frontend that verifies
//     it → sink), and a direct connection to the sink.
//   tunnel_connect p50/p99 ms: local connect → first byte of the upstream's greeting
//     (what an SSH client waits for), sequential; baseline: the same through HAProxy.
// Processes: the broker runs in a child process (this file with --serve-broker), the agent
// is the built CLI (dist/), HAProxy is Debian's; client and sink live in this process and
// are shared by every variant.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flushJson, line, percentile, record, round } from './report.js';

const HERE = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(HERE), '../..');
const CLI = path.join(REPO, 'dist', 'cli', 'main.js');

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects a positive integer`);
  return v;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

// ---- the broker child: a real broker with a tunnel gateway, a vendor with a grant ----------

async function serveBroker(): Promise<void> {
  const { startBroker } = await import('../../src/server.js');
  const { testConfig, tmpHome } = await import('../helpers/tmpHome.js');
  const { pinFilePath } = await import('../../src/agent/serverTrust.js');
  const { generateKeyPairSync } = await import('node:crypto');
  const sink = Number(process.argv[3]);
  const greeter = Number(process.argv[4]);
  const home = tmpHome('radgate-bench-tunnel-');
  const broker = await startBroker(
    testConfig(home, {
      'listen.control.port': await freePort(),
      'gateways.tunnel.enabled': true,
      'gateways.tunnel.listen.port': 0,
      'access.targets': [
        { name: 'sink', address: `127.0.0.1:${sink}`, labels: { risk: 'low' } },
        { name: 'greeter', address: `127.0.0.1:${greeter}`, labels: { risk: 'low' } },
      ],
    }),
  );
  const t = Date.now();
  await broker.store.users.upsertFromIdp({ id: 'usr_bench', issuer: 'https://idp.test', subject: 'bench', kind: 'vendor', organization: 'acme', roles: '["vendor"]', createdAt: t, updatedAt: t });
  const user = (await broker.identity.sessions.getUser('usr_bench'))!;
  const { token, session } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', credentialId: 'c', verifiedAt: t });
  const pub = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await broker.store.devices.insert({ id: 'dev_bench', userId: user.id, name: 'bench', publicKey: pub, state: 'active', createdAt: t, updatedAt: t });
  // Posture stays fresh for the whole run (the report is refreshed below).
  const posture = () => broker.store.devices.recordPosture({ deviceId: 'dev_bench', collectedAt: Date.now(), receivedAt: Date.now(), signals: '{}', tier: 'high', reasons: '[]' });
  await posture();
  setInterval(() => void posture(), 60_000).unref();
  for (const target of ['sink', 'greeter']) {
    await broker.store.access.insertGrant({ id: `grt_${target}`, requestId: null, userId: user.id, target, startAt: t, endAt: t + 4 * 3600_000, state: 'active', breakGlass: false, reason: 'bench', createdAt: t });
  }
  const agentHome = tmpHome('radgate-bench-agent-');
  const write = (f: string, text: string) => writeFileSync(path.join(agentHome, f), text, { mode: 0o600 });
  write('session.json', JSON.stringify({ server: broker.url, token, sessionId: session.id, expiresAt: new Date(session.expiresAt).toISOString(), user: { id: user.id, displayName: 'bench', kind: 'vendor' } }));
  write('device.json', JSON.stringify({ deviceId: 'dev_bench', server: broker.url, state: 'active', enrolledAt: new Date(t).toISOString() }));
  writeFileSync(pinFilePath(agentHome, new URL(broker.url)), broker.ca.rootPem(), { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ agentHome, url: broker.url })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void broker.close().then(() => process.exit(0)));
}

// ---- peers -----------------------------------------------------------------------------------

/** Counts bytes; on the client's end it answers "done" and closes. */
function startSink(): Promise<Server> {
  const s = createServer((c) => {
    c.on('data', () => undefined);
    c.on('end', () => c.end('done'));
    c.on('error', () => undefined);
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

/** Greets at once, like an SSH server's banner. */
function startGreeter(): Promise<Server> {
  const s = createServer((c) => {
    c.on('error', () => undefined);
    c.end('SSH-2.0-bench\r\n');
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

/** Uploads `bytes` to host:port in 64 KiB writes; ms until the sink's "done". */
function upload(port: number, bytes: number): Promise<number> {
  const chunk = randomBytes(64 * 1024);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect({ host: '127.0.0.1', port, noDelay: true });
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    s.once('connect', pump);
    let reply = '';
    s.on('data', (d: Buffer) => (reply += d.toString()));
    s.once('close', () => (reply.endsWith('done') ? resolve(performance.now() - t0) : reject(new Error(`upload to ${port} ended without "done" (${reply.slice(0, 80)})`))));
    s.once('error', reject);
  });
}

/** ms from connect to the greeting's first byte. */
function firstByte(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect({ host: '127.0.0.1', port, noDelay: true });
    s.once('data', () => {
      resolve(performance.now() - t0);
      s.destroy();
    });
    s.once('error', reject);
    s.once('close', () => reject(new Error(`no greeting through ${port}`)));
  });
}

function waitForLine(child: ChildProcess, re: RegExp, stream: 'stdout' | 'stderr', timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${text}`)), timeoutMs);
    child[stream]!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = text.match(re);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

function haproxyCerts(dir: string): { server: string; client: string; ca: string } {
  const o = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bench-ca');
  for (const n of ['server', 'client']) {
    o('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${n === 'server' ? 'localhost' : 'bench-client'}`);
    writeFileSync(path.join(dir, `${n}.ext`), n === 'server' ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
    o('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.crt`, '-days', '2', '-extfile', `${n}.ext`);
    writeFileSync(path.join(dir, `${n}.pem`), readFileSync(path.join(dir, `${n}.crt`), 'utf8') + readFileSync(path.join(dir, `${n}.key`), 'utf8'));
  }
  return { server: path.join(dir, 'server.pem'), client: path.join(dir, 'client.pem'), ca: path.join(dir, 'ca.pem') };
}

async function startHaproxy(sinkPort: number, greeterPort: number): Promise<{ child: ChildProcess; sink: number; greeter: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'radgate-bench-haproxy-'));
  const certs = haproxyCerts(dir);
  const [a1, a2, g1, g2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const hop = (name: string, local: number, tls: number, upstream: number) => `
frontend ${name}_local
  bind 127.0.0.1:${local}
  default_backend ${name}_tls
backend ${name}_tls
  server gw 127.0.0.1:${tls} ssl verify required ca-file ${certs.ca} crt ${certs.client} sni str(localhost)
frontend ${name}_gateway
  bind 127.0.0.1:${tls} ssl crt ${certs.server} ca-file ${certs.ca} verify required
  default_backend ${name}_upstream
backend ${name}_upstream
  server up 127.0.0.1:${upstream}
`;
  const cfg = `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
${hop('sink', a1, a2, sinkPort)}${hop('greeter', g1, g2, greeterPort)}`;
  writeFileSync(path.join(dir, 'haproxy.cfg'), cfg);
  execFileSync('haproxy', ['-c', '-q', '-f', path.join(dir, 'haproxy.cfg')]);
  const child = spawn('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; ; i++) {
    try {
      await firstByte(g1);
      break;
    } catch {
      if (i > 100) throw new Error('haproxy did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { child, sink: a1, greeter: g1 };
}

async function startAgent(agentHome: string, target: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'tunnel', target, '--listen', `127.0.0.1:${port}`], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RADGATE_AGENT_HOME: agentHome }, stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForLine(child, /listening on/, 'stderr');
  return { child, port };
}

async function measureThroughput(label: string, port: number, mb: number, runs: number): Promise<number> {
  await upload(port, 8 * 1024 * 1024); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push((mb / (await upload(port, mb * 1024 * 1024))) * 1000);
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  line(`  ${label}: ${rates.map((r) => round(r, 1)).join(', ')} MB/s (median ${round(median, 1)})`);
  return median;
}

async function measureConnect(label: string, port: number, n: number): Promise<number[]> {
  for (let i = 0; i < 10; i++) await firstByte(port);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await firstByte(port));
  out.sort((a, b) => a - b);
  line(`  ${label}: p50 ${round(percentile(out, 50), 3)} ms, p99 ${round(percentile(out, 99), 3)} ms`);
  return out;
}

export async function main(args: string[]): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const mb = arg(args, 'mb', 256);
  const runs = arg(args, 'runs', 3);
  const connects = arg(args, 'connects', 200);
  const sink = await startSink();
  const greeter = await startGreeter();
  const sinkPort = (sink.address() as AddressInfo).port;
  const greeterPort = (greeter.address() as AddressInfo).port;
  const children: ChildProcess[] = [];
  try {
    const brokerChild = spawn(process.execPath, ['--import', 'tsx', HERE, '--serve-broker', String(sinkPort), String(greeterPort)], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(brokerChild);
    const info = JSON.parse((await waitForLine(brokerChild, /^\{.*\}$/m, 'stdout', 60_000))[0]) as { agentHome: string };
    const agentSink = await startAgent(info.agentHome, 'sink');
    const agentGreeter = await startAgent(info.agentHome, 'greeter');
    children.push(agentSink.child, agentGreeter.child);
    const hap = await startHaproxy(sinkPort, greeterPort);
    children.push(hap.child);

    line(`tunnel throughput, ${runs} × ${mb} MB upload`);
    const direct = await measureThroughput('direct', sinkPort, mb, runs);
    const haproxy = await measureThroughput('haproxy (2 hops, mTLS)', hap.sink, mb, runs);
    const tunnel = await measureThroughput('radgate tunnel (agent → gateway)', agentSink.port, mb, runs);
    line(`tunnel connect → first byte, ${connects} sequential connections`);
    const hc = await measureConnect('haproxy', hap.greeter, connects);
    const tc = await measureConnect('radgate tunnel', agentGreeter.port, connects);

    record({ bench: 'tunnel', metric: 'tunnel_throughput', unit: 'MB/s', value: round(tunnel, 1), baseline: 'haproxy-tcp-mtls', baseline_value: round(haproxy, 1) });
    record({ bench: 'tunnel', metric: 'tunnel_throughput_vs_direct', unit: 'MB/s', value: round(tunnel, 1), baseline: 'direct', baseline_value: round(direct, 1) });
    record({ bench: 'tunnel', metric: 'tunnel_connect_p50', unit: 'ms', value: round(percentile(tc, 50), 3), baseline: 'haproxy-tcp-mtls', baseline_value: round(percentile(hc, 50), 3) });
    record({ bench: 'tunnel', metric: 'tunnel_connect_p99', unit: 'ms', value: round(percentile(tc, 99), 3), baseline: 'haproxy-tcp-mtls', baseline_value: round(percentile(hc, 99), 3) });
    flushJson();
  } finally {
    for (const c of children.reverse()) {
      if (c.stdin) c.stdin.end();
      else c.kill('SIGTERM');
    }
    sink.close();
    greeter.close();
  }
}

if (process.argv[2] === '--serve-broker') await serveBroker();
