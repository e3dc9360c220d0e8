// The agent's login, logout and whoami against a small HTTPS broker that implements the
// /agent/* contract, with a self-signed certificate the agent must pin.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentError } from './AgentError.js';
import { loginDevice } from './loginDevice.js';
import { loginLoopback } from './loginLoopback.js';
import { logout } from './logout.js';
import { pinFilePath } from './serverTrust.js';
import { readSession, sessionFilePath } from './sessionFile.js';
import { whoami } from './whoami.js';

interface FakeBroker {
  url: string;
  server: Server;
  tokenRequests: Record<string, unknown>[];
  /** What /agent/token answers to device-code polls, in order, then a token. */
  deviceScript: string[];
  /** Make /agent/authorize redirect with a forged state. */
  forgeState: boolean;
  ended: Set<string>;
}

let dir: string;
let certPem: string;
let keyPem: string;
let fingerprint: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'radgate-agent-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  certPem = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  keyPem = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  fingerprint = new X509Certificate(certPem).fingerprint256;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function json(res: import('node:http').ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function startFakeBroker(): Promise<FakeBroker> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const fb: Omit<FakeBroker, 'url' | 'server'> = { tokenRequests: [], deviceScript: [], forgeState: false, ended: new Set() };
  let n = 0;
  const tokenBody = () => ({
    session_token: `tok-${++n}`,
    token_type: 'Bearer',
    expires_at: '2030-01-01T00:00:00.000Z',
    expires_in: 3600,
    user: { id: 'alice', displayName: 'Alice', kind: 'workforce' },
    session_id: `agent-${n}`,
  });
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /ca/root.pem') {
        res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
        res.end(certPem);
      } else if (route === 'GET /agent/authorize') {
        // Stands in for sign-in + confirmation: approves at once.
        const q = url.searchParams;
        const code = `code-${++n}`;
        codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri: q.get('redirect_uri') ?? '' });
        const to = new URL(q.get('redirect_uri') ?? '');
        to.searchParams.set('code', code);
        to.searchParams.set('state', fb.forgeState ? 'forged' : (q.get('state') ?? ''));
        res.writeHead(302, { Location: to.href });
        res.end();
      } else if (route === 'POST /agent/token') {
        fb.tokenRequests.push(body);
        if (body.grant_type === 'authorization_code') {
          const c = codes.get(String(body.code));
          codes.delete(String(body.code));
          const s256 = createHash('sha256').update(String(body.code_verifier)).digest('base64url');
          if (!c || c.redirectUri !== body.redirect_uri || c.challenge !== s256) return json(res, 400, { error: 'invalid_grant', error_description: 'bad code' });
          return json(res, 200, tokenBody());
        }
        if (body.grant_type === 'urn:ietf:params:oauth:grant-type:device_code' && body.device_code === 'dev-code') {
          const next = fb.deviceScript.shift();
          if (next) return json(res, 400, { error: next, error_description: next });
          return json(res, 200, tokenBody());
        }
        return json(res, 400, { error: 'invalid_grant', error_description: 'unknown' });
      } else if (route === 'POST /agent/device') {
        json(res, 200, { device_code: 'dev-code', user_code: 'BCDF-GHJK', verification_uri: 'https://localhost/agent/device', verification_uri_complete: 'https://localhost/agent/device?user_code=BCDF-GHJK', expires_in: 600, interval: 5 });
      } else if (route === 'POST /agent/logout') {
        if (!bearer || fb.ended.has(bearer)) return json(res, 401, { code: 'unauthenticated' });
        fb.ended.add(bearer);
        json(res, 204);
      } else if (route === 'GET /agent/whoami') {
        if (!bearer || fb.ended.has(bearer)) return json(res, 401, { code: 'unauthenticated' });
        json(res, 200, { user: { id: 'alice', displayName: 'Alice', kind: 'workforce' }, session: { id: 'agent-1', expiresAt: '2030-01-01T00:00:00.000Z', state: 'active' } });
      } else json(res, 404, { code: 'not-found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(fb, { server, url: `https://localhost:${(server.address() as AddressInfo).port}` });
}

/** A browser: follows the broker's redirect to the agent's loopback listener. */
function browse(authorizeUrl: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsRequest(authorizeUrl, { ca: certPem }, (res) => {
      res.resume();
      const location = res.headers.location;
      if (res.statusCode !== 302 || !location) return reject(new Error(`authorize answered ${res.statusCode}`));
      httpGet(location, (cb) => {
        let body = '';
        cb.setEncoding('utf8');
        cb.on('data', (c: string) => (body += c));
        cb.on('end', () => resolve({ status: cb.statusCode ?? 0, body }));
      }).on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('agent login against a local HTTPS broker', () => {
  let broker: FakeBroker;
  let home: string;
  let lines: string[];
  const print = (l: string) => void lines.push(l);

  beforeEach(async () => {
    broker = await startFakeBroker();
    home = mkdtempSync(path.join(tmpdir(), 'radgate-agent-home-'));
    lines = [];
  });
  afterEach(async () => {
    broker.server.closeAllConnections();
    await new Promise((r) => broker.server.close(r));
    rmSync(home, { recursive: true, force: true });
  });

  it('signs in through the loopback redirect with PKCE, stores the token 0600 and pins the root', async () => {
    let page: Promise<{ status: number; body: string }> | undefined;
    let opened = '';
    const session = await loginLoopback({
      server: broker.url,
      home,
      print,
      caFingerprint: fingerprint,
      openBrowser: (url) => {
        opened = url;
        page = browse(url);
        return true;
      },
    });
    expect(session).toMatchObject({ server: broker.url, token: 'tok-2', sessionId: 'agent-2', user: { id: 'alice' } });
    expect(readSession(home)).toEqual(session);
    expect(statSync(sessionFilePath(home)).mode & 0o777).toBe(0o600);
    expect(readFileSync(pinFilePath(home, new URL(broker.url)), 'utf8')).toContain('BEGIN CERTIFICATE');

    const authorize = new URL(opened);
    expect(authorize.pathname).toBe('/agent/authorize');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(broker.tokenRequests).toEqual([
      { grant_type: 'authorization_code', code: 'code-1', code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), redirect_uri: authorize.searchParams.get('redirect_uri') },
    ]);
    const shown = await page;
    expect(shown?.status).toBe(200);
    expect(shown?.body).toContain('You can close this tab');
    expect(lines.join('\n')).toContain(opened);
  });

  it('refuses a callback whose state does not match, without redeeming the code', async () => {
    broker.forgeState = true;
    let page: Promise<{ status: number; body: string }> | undefined;
    const err = await loginLoopback({ server: broker.url, home, print, caFingerprint: fingerprint, openBrowser: (url) => ((page = browse(url)), true) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as AgentError).code).toBe('state-mismatch');
    expect(broker.tokenRequests).toEqual([]);
    expect(readSession(home)).toBeUndefined();
    expect((await page)?.status).toBe(400);
  });

  it('gives up when no callback arrives in time', async () => {
    const err = await loginLoopback({ server: broker.url, home, print, caFingerprint: fingerprint, timeoutMs: 200 }).catch((e: unknown) => e);
    expect((err as AgentError).code).toBe('timeout');
    expect(lines.some((l) => l.includes('/agent/authorize?'))).toBe(true);
  });

  it('refuses a broker whose root does not have the expected fingerprint, and pins nothing', async () => {
    const wrong = 'AB:'.repeat(31) + 'AB';
    const err = await loginLoopback({ server: broker.url, home, print, caFingerprint: wrong }).catch((e: unknown) => e);
    expect((err as AgentError).code).toBe('fingerprint-mismatch');
    expect(() => statSync(pinFilePath(home, new URL(broker.url)))).toThrow();
  });

  it('refuses an unconfirmed root, and accepts one the user confirms', async () => {
    const refused = await loginDevice({ server: broker.url, home, print, confirmFingerprint: async () => false }).catch((e: unknown) => e);
    expect((refused as AgentError).code).toBe('untrusted-server');
    let seen = '';
    await loginDevice({ server: broker.url, home, print, sleep: async () => undefined, confirmFingerprint: async (i) => ((seen = i.fingerprint), true) });
    expect(seen).toBe(fingerprint);
  });

  it('verifies the broker against a --ca file', async () => {
    const caFile = path.join(home, 'root.pem');
    writeFileSync(caFile, certPem);
    const session = await loginDevice({ server: broker.url, home, print, ca: caFile, sleep: async () => undefined });
    expect(session.token).toBe('tok-1');
  });

  it('polls the device code at the interval, slows down when told to, and stores the token', async () => {
    broker.deviceScript = ['authorization_pending', 'slow_down', 'authorization_pending'];
    const waits: number[] = [];
    const session = await loginDevice({ server: broker.url, home, print, caFingerprint: fingerprint, sleep: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([5000, 5000, 10000, 10000]);
    expect(session.token).toBe('tok-1');
    expect(readSession(home)?.token).toBe('tok-1');
    expect(lines.join('\n')).toContain('BCDF-GHJK');
    expect(broker.tokenRequests.every((r) => r.grant_type === 'urn:ietf:params:oauth:grant-type:device_code' && r.device_code === 'dev-code')).toBe(true);
  });

  it('stops polling when the user denies, or the code expires', async () => {
    broker.deviceScript = ['authorization_pending', 'access_denied'];
    const denied = await loginDevice({ server: broker.url, home, print, caFingerprint: fingerprint, sleep: async () => undefined }).catch((e: unknown) => e);
    expect((denied as AgentError).code).toBe('access-denied');
    broker.deviceScript = ['expired_token'];
    const expired = await loginDevice({ server: broker.url, home, print, caFingerprint: fingerprint.replace(/:/g, '').toLowerCase(), sleep: async () => undefined }).catch((e: unknown) => e);
    expect((expired as AgentError).code).toBe('expired');
    expect(readSession(home)).toBeUndefined();
  });

  it('stops polling at the code expiry even while pending', async () => {
    broker.deviceScript = Array(1000).fill('authorization_pending');
    let t = 0;
    const err = await loginDevice({ server: broker.url, home, print, caFingerprint: fingerprint, clock: () => t, sleep: async (ms) => void (t += ms) }).catch((e: unknown) => e);
    expect((err as AgentError).code).toBe('expired');
    expect(broker.tokenRequests.length).toBe(119);
  });

  it('answers whoami, logs out at the broker, then forgets the token', async () => {
    await loginDevice({ server: broker.url, home, print, caFingerprint: fingerprint, sleep: async () => undefined });
    await expect(whoami({ home })).resolves.toMatchObject({ server: broker.url, user: { id: 'alice' }, session: { id: 'agent-1', state: 'active' } });
    await expect(logout({ home })).resolves.toEqual({ endedAtServer: true, server: broker.url });
    expect(broker.ended.has('tok-1')).toBe(true);
    expect(readSession(home)).toBeUndefined();
    await expect(whoami({ home })).rejects.toMatchObject({ code: 'not-logged-in' });
  });

  it('keeps the token when the broker cannot be reached, unless told to forget it', async () => {
    await loginDevice({ server: broker.url, home, print, caFingerprint: fingerprint, sleep: async () => undefined });
    broker.server.closeAllConnections();
    await new Promise((r) => broker.server.close(r));
    await expect(logout({ home })).rejects.toMatchObject({ code: 'network' });
    expect(readSession(home)?.token).toBe('tok-1');
    await expect(logout({ home, forget: true })).resolves.toMatchObject({ endedAtServer: false });
    expect(readSession(home)).toBeUndefined();
    broker.server = createServer();
  });

  it('refuses plain-http and path-carrying server URLs', async () => {
    await expect(loginDevice({ server: 'http://localhost:1', home, print })).rejects.toMatchObject({ code: 'bad-server-url' });
    await expect(loginDevice({ server: `${broker.url}/x`, home, print })).rejects.toMatchObject({ code: 'bad-server-url' });
  });
});
