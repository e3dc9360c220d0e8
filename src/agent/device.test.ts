// Enrolment, signed posture, certificates and status against a small HTTPS broker that
// implements the /devices and /certificates contract (JWS checked with the enrolled key,
// single-use nonces, certificates signed by openssl), in-process and through the built CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, randomBytes, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCurrentCertificate } from './certificateFiles.js';
import { readDevice } from './deviceFile.js';
import { enroll } from './enroll.js';
import { ensureCertificate } from './ensureCertificate.js';
import { DEVICE_KEY_FILE } from './fileDeviceKeyStore.js';
import { SIGNAL_NAMES } from './posture/types.js';
import { reportPosture } from './reportPosture.js';
import { requestCertificate } from './requestCertificate.js';
import { pinFilePath } from './serverTrust.js';
import { writeSession } from './sessionFile.js';
import { status } from './status.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');
let dir: string;
let certPem: string;
let keyPem: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'radgate-device-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  certPem = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  keyPem = readFileSync(path.join(dir, 'key.pem'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Device { id: string; key: KeyObject; state: string; tier: string | null; postureAt: number | null; facts: unknown; name?: string }
interface FakeBroker {
  url: string;
  server: Server;
  devices: Map<string, Device>;
  nonces: Map<string, { deviceId: string; expiresAt: number }>;
  posted: { header: Record<string, unknown>; payload: Record<string, unknown> }[];
  csrs: string[];
}

const TOKEN = 'agent-token-1';
const b64json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;

function checkJws(jws: unknown, key?: KeyObject): { header: Record<string, unknown>; payload: Record<string, unknown>; key: KeyObject } | undefined {
  if (typeof jws !== 'string') return undefined;
  const [h, p, s, extra] = jws.split('.');
  if (!h || !p || !s || extra !== undefined) return undefined;
  const header = b64json(h);
  if (header.alg !== 'ES256') return undefined;
  const k = key ?? createPublicKey({ key: header.jwk as never, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key: k, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return undefined;
  return { header, payload: b64json(p), key: k };
}

async function startFakeBroker(): Promise<FakeBroker> {
  const fb = { devices: new Map(), nonces: new Map(), posted: [], csrs: [] } as unknown as FakeBroker;
  const problem = (res: import('node:http').ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'Content-Type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: code, status, code, detail: code }));
  };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return problem(res, 401, 'unauthenticated');
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      const url = new URL(req.url ?? '/', 'https://localhost');
      const route = `${req.method} ${url.pathname}`;
      let m: RegExpExecArray | null;
      if (route === 'POST /devices/enroll') {
        const v = checkJws(body.jws);
        if (!v || v.header.typ !== 'radgate-enroll+jwt') return problem(res, 400, 'bad-signature');
        const id = `dev-${fb.devices.size + 1}`;
        fb.devices.set(id, { id, key: v.key, state: 'active', tier: null, postureAt: null, facts: v.payload.facts, ...(typeof v.payload.name === 'string' ? { name: v.payload.name } : {}) });
        fb.posted.push(v);
        return json(res, 201, { deviceId: id, state: 'active' });
      }
      if (route === 'GET /devices') {
        return json(res, 200, [...fb.devices.values()].map((d) => ({ id: d.id, name: d.name ?? null, state: d.state, tier: d.tier, postureAt: d.postureAt, createdAt: 1 })));
      }
      if (req.method === 'POST' && (m = /^\/devices\/([^/]+)\/posture\/nonce$/.exec(url.pathname))) {
        if (!fb.devices.has(m[1]!)) return problem(res, 404, 'not-found');
        const nonce = randomBytes(24).toString('base64url');
        const expiresAt = Date.now() + 60_000;
        fb.nonces.set(nonce, { deviceId: m[1]!, expiresAt });
        return json(res, 200, { nonce, expiresAt });
      }
      if (req.method === 'POST' && (m = /^\/devices\/([^/]+)\/posture$/.exec(url.pathname))) {
        const d = fb.devices.get(m[1]!);
        if (!d) return problem(res, 404, 'not-found');
        const v = checkJws(body.jws, d.key);
        if (!v || v.header.typ !== 'radgate-posture+jwt' || v.payload.deviceId !== d.id) return problem(res, 400, 'bad-signature');
        const n = fb.nonces.get(String(v.payload.nonce));
        fb.nonces.delete(String(v.payload.nonce));
        if (!n || n.deviceId !== d.id || n.expiresAt < Date.now()) return problem(res, 400, 'nonce-invalid');
        fb.posted.push(v);
        d.tier = 'standard';
        d.postureAt = Date.now();
        return json(res, 200, { tier: 'standard', reasons: ['firewall-unknown'], postureAt: d.postureAt, staleAfter: d.postureAt + 300_000 });
      }
      if (route === 'POST /certificates') {
        if (typeof body.csr !== 'string' || !fb.devices.has(String(body.deviceId))) return problem(res, 400, 'bad-request');
        fb.csrs.push(body.csr);
        const work = mkdtempSync(path.join(dir, 'csr-'));
        writeFileSync(path.join(work, 'req.pem'), body.csr);
        const check = spawnSync('openssl', ['req', '-in', path.join(work, 'req.pem'), '-verify', '-noout'], { encoding: 'utf8' });
        if (!/verify OK/.test(check.stderr + check.stdout)) return problem(res, 400, 'csr-invalid');
        const pem = execFileSync('openssl', ['x509', '-req', '-in', path.join(work, 'req.pem'), '-CA', path.join(dir, 'cert.pem'), '-CAkey', path.join(dir, 'key.pem'), '-days', '1', '-set_serial', `0x${randomBytes(16).toString('hex')}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const serial = new X509Certificate(pem).serialNumber;
        return json(res, 201, { serial, certificatePem: pem, chainPem: pem + certPem, notAfter: new X509Certificate(pem).validTo });
      }
      problem(res, 404, 'not-found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(fb, { server, url: `https://localhost:${(server.address() as AddressInfo).port}` });
}

function loggedInHome(url: string): string {
  const home = path.join(mkdtempSync(path.join(tmpdir(), 'radgate-device-home-')), 'agent');
  writeSession(home, { server: url, token: TOKEN, sessionId: 'agent-1', expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: { id: 'alice', displayName: 'Alice', kind: 'workforce' } });
  writeFileSync(pinFilePath(home, new URL(url)), certPem, { mode: 0o600 });
  return home;
}

describe('device enrolment, posture and certificates against a local HTTPS broker', () => {
  let broker: FakeBroker;
  let home: string;
  beforeEach(async () => {
    broker = await startFakeBroker();
    home = loggedInHome(broker.url);
  });
  afterEach(async () => {
    broker.server.closeAllConnections();
    await new Promise((r) => broker.server.close(r));
    rmSync(path.dirname(home), { recursive: true, force: true });
  });

  it('enrols with a signed request carrying the device JWK and facts, and stores device.json 0600', async () => {
    const d = await enroll({ home, name: 'reading-room-3' });
    expect(d).toMatchObject({ deviceId: 'dev-1', state: 'active', server: broker.url, name: 'reading-room-3' });
    expect(readDevice(home)).toEqual(d);
    expect(statSync(path.join(home, 'device.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(home, DEVICE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const sent = broker.posted[0]!;
    expect(sent.header).toMatchObject({ alg: 'ES256', typ: 'radgate-enroll+jwt', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(sent.header.jwk).not.toHaveProperty('d');
    expect(sent.payload).toMatchObject({ name: 'reading-room-3', iat: expect.any(Number), facts: { hostname: expect.any(String), os: expect.any(String) } });
    const facts = sent.payload.facts as Record<string, unknown>;
    if (existsSync('/etc/machine-id')) {
      expect(facts.machineId).toMatch(/^[0-9a-f]{64}$/);
      expect(facts.machineId).not.toContain(readFileSync('/etc/machine-id', 'utf8').trim());
    }
    await expect(enroll({ home })).rejects.toMatchObject({ code: 'already-enrolled' });
  });

  it('sends a posture report bound to a fresh nonce and signed with the device key, and records the tier', async () => {
    await expect(reportPosture({ home })).rejects.toMatchObject({ code: 'not-enrolled' });
    await enroll({ home });
    const r = await reportPosture({ home });
    expect(r).toMatchObject({ deviceId: 'dev-1', tier: 'standard', reasons: ['firewall-unknown'] });
    const sent = broker.posted[1]!;
    expect(sent.header).toEqual({ alg: 'ES256', typ: 'radgate-posture+jwt' });
    expect(Object.keys(sent.payload.signals as object).sort()).toEqual([...SIGNAL_NAMES].sort());
    expect(sent.payload).toMatchObject({ deviceId: 'dev-1', nonce: expect.any(String), collectedAt: expect.any(Number), agentVersion: expect.any(String) });
    expect(broker.nonces.size).toBe(0);
    expect(readDevice(home)?.posture?.tier).toBe('standard');
  });

  it('is refused when the device key changed since enrolment', async () => {
    await enroll({ home });
    rmSync(path.join(home, DEVICE_KEY_FILE));
    await expect(reportPosture({ home })).rejects.toMatchObject({ code: 'not-enrolled' });
    const { fileDeviceKeyStore } = await import('./fileDeviceKeyStore.js');
    await fileDeviceKeyStore(home).create();
    await expect(reportPosture({ home })).rejects.toMatchObject({ code: 'protocol', message: expect.stringContaining('bad-signature') });
  });

  it('gets a certificate for a fresh key each time, stores key, cert and chain 0600, and renews only when due', async () => {
    await enroll({ home });
    const a = await requestCertificate({ home });
    const b = await requestCertificate({ home });
    expect(a.serial).not.toBe(b.serial);
    for (const f of [b.keyFile, b.certFile, b.chainFile, path.join(home, 'certs', 'current.json')]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    expect(statSync(path.join(home, 'certs')).mode & 0o777).toBe(0o700);
    expect(readFileSync(a.keyFile, 'utf8')).not.toBe(readFileSync(b.keyFile, 'utf8'));
    expect(new X509Certificate(readFileSync(b.certFile)).checkPrivateKey((await import('node:crypto')).createPrivateKey(readFileSync(b.keyFile)))).toBe(true);
    expect(readCurrentCertificate(home)?.serial).toBe(b.serial);
    expect(broker.csrs).toHaveLength(2);

    await expect(ensureCertificate({ home })).resolves.toMatchObject({ renewed: false, certificate: { serial: b.serial } });
    const later = Date.parse(b.notAfter) - 3600_000; // 1 h of a 24 h certificate left
    // The 1 h login session has ended by then: no renewal without a live session.
    await expect(ensureCertificate({ home, clock: () => later })).rejects.toMatchObject({ code: 'not-logged-in' });
    expect(broker.csrs).toHaveLength(2);
  });

  it('renews when less than a third of the lifetime is left while the session lives', async () => {
    await enroll({ home });
    const first = await requestCertificate({ home });
    writeSession(home, { server: broker.url, token: TOKEN, sessionId: 'agent-1', expiresAt: new Date(Date.now() + 48 * 3600_000).toISOString(), user: { id: 'alice', displayName: 'Alice', kind: 'workforce' } });
    const late = Date.parse(first.notAfter) - 3600_000;
    const r = await ensureCertificate({ home, clock: () => late });
    expect(r.renewed).toBe(true);
    expect(r.certificate.serial).not.toBe(first.serial);
  });

  it('shows status from local state and the broker', async () => {
    const before = await status({ home });
    expect(before).toMatchObject({ user: { id: 'alice' }, device: null, certificate: null, broker: 'ok' });
    await enroll({ home, name: 'rr3' });
    await reportPosture({ home });
    const cert = await requestCertificate({ home });
    const s = await status({ home });
    expect(s).toMatchObject({ server: broker.url, device: { id: 'dev-1', name: 'rr3', state: 'active', tier: 'standard', source: 'broker' }, certificate: { serial: cert.serial, expired: false }, broker: 'ok' });
    expect(s.device?.postureAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(s.certificate?.expiresInSeconds).toBeGreaterThan(80_000);
  });
});

// npm test builds first; a missing dist/ is a failure here, never a skip.
describe('the built radgate CLI against a local HTTPS broker', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  });
  let broker: FakeBroker;
  let home: string;
  beforeAll(async () => {
    broker = await startFakeBroker();
    home = loggedInHome(broker.url);
  });
  afterAll(async () => {
    broker.server.closeAllConnections();
    await new Promise((r) => broker.server.close(r));
    rmSync(path.dirname(home), { recursive: true, force: true });
  });
  const radgate = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      // Asynchronous: the broker runs in this process.
      import('node:child_process').then(({ execFile }) =>
        execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, RADGATE_AGENT_HOME: home }, timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    });

  it('radgate posture --dry-run prints the signals and sends nothing', async () => {
    const r = await radgate('posture', '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^SIGNAL\s+VALUE\s+SOURCE/);
    for (const n of SIGNAL_NAMES) expect(r.stdout).toContain(n);
    expect(r.stdout).toContain('nothing was sent');
    expect(broker.posted).toHaveLength(0);
  });

  it('enroll, posture, cert and status work as separate processes', async () => {
    const notYet = await radgate('posture');
    expect(notYet.status).toBe(1);
    expect(notYet.stderr).toContain('not-enrolled');
    const e = await radgate('enroll', '--name', 'ws-7');
    expect(e.stdout).toContain('Enrolled at');
    const p = await radgate('posture', '--json');
    expect(JSON.parse(p.stdout)).toMatchObject({ tier: 'standard', deviceId: 'dev-1' });
    const c = await radgate('cert', '--json');
    const cert = JSON.parse(c.stdout) as { serial: string; keyFile: string };
    expect(statSync(cert.keyFile).mode & 0o777).toBe(0o600);
    const s = await radgate('status');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/^user\s+Alice \(alice, workforce\)/m);
    expect(s.stdout).toMatch(/^tier\s+standard/m);
    expect(s.stdout).toMatch(/^posture age\s+\d+s ago/m);
    expect(s.stdout).toContain(cert.serial);
    const sj = JSON.parse((await radgate('status', '--json')).stdout);
    expect(sj).toMatchObject({ device: { id: 'dev-1', tier: 'standard' }, certificate: { serial: cert.serial } });
    const again = await radgate('cert', '--if-needed', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ serial: cert.serial, renewed: false });
  });
});
