// Issue 7, the tunnel gateway against a real broker and real TCP upstreams: a vendor with a
// grant reaches the target; everything else is refused with a reason, audited; revocation
// and expiry close open tunnels within a second; recordings hold the byte stream.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReply } from '../../../src/agent/tunnel.js';
import { encodePreface, readRecording, TUNNEL_ALPN } from '../../../src/gateway/tunnel/index.js';
import { startBroker, type Broker } from '../../../src/server.js';
import type { AuditRow } from '../../../src/store/index.js';
import { issueCert, makeCaller, type ClientCert } from '../../helpers/dataplaneCaller.js';
import { freePort } from '../../helpers/ports.js';
import { testConfig, tmpHome } from '../../helpers/tmpHome.js';

let broker: Broker;
let home: string;
let echo: Server;
let echoPort: number;
let vic: ClientCert;
let val: ClientCert;

async function grant(userId: string, target: string, ms: number, o: { startIn?: number } = {}): Promise<string> {
  const now = Date.now();
  const id = `grt_${randomBytes(6).toString('hex')}`;
  await broker.store.access.insertGrant({ id, requestId: null, userId, target, startAt: now + (o.startIn ?? 0), endAt: now + ms, state: 'active', breakGlass: false, reason: 'test', createdAt: now });
  broker.access.scheduler.track(id);
  return id;
}

/** The user's only live grant on the target (a tunnel rides on the grant that ends last). */
async function onlyGrant(userId: string, target: string, ms: number): Promise<string> {
  for (const old of await broker.store.access.listGrants({ userId, target, state: 'active' })) await broker.store.access.revokeGrant(old.id, 'test', 'isolate', Date.now());
  return grant(userId, target, ms);
}

interface Opened {
  socket: TLSSocket;
  reply: { open: boolean; reason: string } | undefined;
  rest: Buffer;
}

/** Connects with a client certificate, sends `preface` (default: the target's), reads the reply. */
function tunnel(cert: ClientCert | undefined, target: string, o: { preface?: Buffer; send?: Buffer } = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: broker.tunnelGateway!.port, servername: 'localhost', ca: broker.ca.rootPem(), ...(cert ? { cert: cert.cert, key: cert.key } : {}), ALPNProtocols: [TUNNEL_ALPN] });
    let buf = Buffer.alloc(0);
    socket.once('secureConnect', () => {
      if (o.preface?.length !== 0) socket.write(o.preface ?? encodePreface(target));
      if (o.send) socket.write(o.send);
    });
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const r = parseReply(buf);
      if (r.status === 'need-more') return;
      socket.off('data', onData);
      if (r.status === 'bad') return reject(new Error(`bad reply ${buf.toString('hex')}`));
      resolve({ socket, reply: { open: r.open, reason: r.reason }, rest: r.rest });
    };
    socket.on('data', onData);
    socket.once('error', (err) => resolve({ socket, reply: undefined, rest: Buffer.from(err.message) }));
    socket.once('close', () => resolve({ socket, reply: undefined, rest: Buffer.alloc(0) }));
    void reject;
  });
}

const closed = (s: Socket) => new Promise<number>((resolve) => (s.destroyed && s.closed ? resolve(Date.now()) : s.once('close', () => resolve(Date.now()))));

async function auditOf(type: string, pred: (d: Record<string, any>) => boolean, timeoutMs = 3000): Promise<Record<string, any>[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await broker.audit.flush();
    const rows: AuditRow[] = await broker.store.audit.query({ afterSeq: 0, type, limit: 5000 });
    const hits = rows.map((r) => ({ ...(JSON.parse(r.detail) as Record<string, any>), outcome: r.outcome, actor: r.actor })).filter(pred);
    if (hits.length > 0 || Date.now() > until) return hits;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
  home = tmpHome('radgate-tunnel-');
  broker = await startBroker(
    testConfig(home, {
      'listen.control.port': await freePort(),
      'gateways.tunnel.enabled': true,
      'gateways.tunnel.listen.port': 0,
      'gateways.tunnel.prefaceTimeout': 1,
      'access.targets': [
        { name: 'echo', address: `127.0.0.1:${echoPort}`, labels: { risk: 'low' } },
        { name: 'echo-rec', address: `127.0.0.1:${echoPort}`, labels: { risk: 'low' }, recording: true },
        { name: 'dead', address: `127.0.0.1:${await freePort()}`, labels: { risk: 'low' } },
      ],
    }),
  );
  vic = await makeCaller(broker, { name: 'vic', kind: 'vendor', roles: ['vendor'], organization: 'acme-imaging', dir: home, tier: 'standard' });
  val = await makeCaller(broker, { name: 'val', kind: 'vendor', roles: ['vendor'], organization: 'acme-imaging', dir: home, tier: 'standard' });
}, 60_000);
afterAll(async () => {
  await broker?.close();
  echo?.close();
});

describe('tunnel gateway', () => {
  it('advertises itself to agents on the control plane', () => {
    expect(broker.tunnelGateway).toMatchObject({ host: 'localhost' });
    expect(broker.tunnelGateway!.port).toBeGreaterThan(0);
  });

  it('pipes bytes to the target for a vendor with a live grant and audits open and close with bytes and cause', async () => {
    const g = await grant(vic.userId, 'echo', 60_000);
    // Bytes sent right after the preface (as an SSH client would) reach the target too.
    const t = await tunnel(vic, 'echo', { send: Buffer.from('early ') });
    expect(t.reply).toEqual({ open: true, reason: 'open' });
    const got: Buffer[] = [t.rest];
    t.socket.on('data', (c: Buffer) => got.push(c));
    const payload = randomBytes(256 * 1024);
    t.socket.write(payload);
    await new Promise<void>((resolve) => {
      const check = () => (Buffer.concat(got).length >= 6 + payload.length ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(Buffer.concat(got).equals(Buffer.concat([Buffer.from('early '), payload]))).toBe(true);
    expect(broker.liveSessions.list().filter((s) => s.grantId === g)).toHaveLength(1);
    t.socket.end();
    const [close] = await auditOf('gateway.tunnel.close', (d) => d.grantId === g);
    expect(close).toMatchObject({ target: 'echo', bytesUp: 6 + payload.length, bytesDown: 6 + payload.length, cause: 'client-closed', serial: vic.serial, deviceId: vic.deviceId });
    expect(close!.durationMs).toBeGreaterThanOrEqual(0);
    expect(close!.decisionSeq).toBeGreaterThan(0);
    const [open] = await auditOf('gateway.tunnel.open', (d) => d.grantId === g);
    expect(open).toMatchObject({ outcome: 'success', target: 'echo', recording: null, connection: close!.connection });
    // The decision and the open event were durable before the first byte (the open event follows the decision).
    const rows = await broker.store.audit.query({ afterSeq: close!.decisionSeq - 1, limit: 50, order: 'asc' });
    expect(rows[0]).toMatchObject({ seq: close!.decisionSeq, type: 'decision' });
  });

  it('refuses a tunnel without a grant, before the grant starts and after it ended', async () => {
    const none = await tunnel(val, 'echo');
    expect(none.reply).toEqual({ open: false, reason: 'no-active-grant' });
    const later = await grant(val.userId, 'echo', 60_000, { startIn: 30_000 });
    expect((await tunnel(val, 'echo')).reply).toEqual({ open: false, reason: 'no-active-grant' });
    await broker.store.access.revokeGrant(later, 'test', 'cleanup', Date.now());
    const now = Date.now();
    const id = `grt_past_${now}`;
    await broker.store.access.insertGrant({ id, requestId: null, userId: val.userId, target: 'echo', startAt: now - 60_000, endAt: now - 1000, state: 'active', breakGlass: false, reason: 'over', createdAt: now - 60_000 });
    expect((await tunnel(val, 'echo')).reply).toEqual({ open: false, reason: 'no-active-grant' });
    const denials = await auditOf('gateway.tunnel.open', (d) => d.outcome === 'deny' && d.deviceId === val.deviceId);
    expect(denials.length).toBeGreaterThanOrEqual(3);
    expect(denials[0]).toMatchObject({ reason: 'policy-denied', policyReasons: ['no-active-grant'] });
    expect(broker.liveSessions.list().filter((s) => s.userId === val.userId)).toHaveLength(0);
  });

  it('refuses a malformed, an oversized and a missing preface, and an unknown target', async () => {
    expect((await tunnel(vic, 'echo', { preface: Buffer.from('SSH-2.0-OpenSSH_9.2\r\n') })).reply).toEqual({ open: false, reason: 'preface-malformed' });
    expect((await tunnel(vic, 'echo', { preface: Buffer.concat([Buffer.from('RGT1'), Buffer.from([0xff, 0xff]), Buffer.alloc(100, 0x61)]) })).reply).toEqual({ open: false, reason: 'preface-too-large' });
    const t0 = Date.now();
    expect((await tunnel(vic, 'echo', { preface: Buffer.alloc(0) })).reply).toEqual({ open: false, reason: 'preface-timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect((await tunnel(vic, 'nowhere')).reply).toEqual({ open: false, reason: 'unknown-target' });
    for (const reason of ['preface-malformed', 'preface-too-large', 'preface-timeout', 'unknown-target']) {
      expect(await auditOf('gateway.tunnel.open', (d) => d.reason === reason && d.outcome === 'deny'), reason).not.toHaveLength(0);
    }
  });

  it('refuses a client certificate of another user: another user’s grant or login session', async () => {
    const g = await grant(vic.userId, 'echo', 60_000);
    // val's certificate naming vic's grant: the grant is not val's.
    const valForVicsGrant = await issueCert(broker, { userId: val.userId, deviceId: val.deviceId, sessionId: val.sessionId, dir: home, grantId: g });
    expect((await tunnel(valForVicsGrant, 'echo')).reply).toEqual({ open: false, reason: 'no-active-grant' });
    // A certificate naming val as user but vic's login session and device.
    const mixed = await issueCert(broker, { userId: val.userId, deviceId: vic.deviceId, sessionId: vic.sessionId, dir: home });
    expect((await tunnel(mixed, 'echo')).reply).toEqual({ open: false, reason: 'login-session-ended' });
    // No certificate at all: the handshake itself fails.
    expect((await tunnel(undefined, 'echo')).reply).toBeUndefined();
    expect(broker.liveSessions.list().filter((s) => s.grantId === g)).toHaveLength(0);
  });

  it('closes an open tunnel within a second of the grant being revoked', async () => {
    const g = await onlyGrant(vic.userId, 'echo', 10 * 60_000);
    const t = await tunnel(vic, 'echo');
    expect(t.reply?.open).toBe(true);
    const ended = closed(t.socket);
    const approver = await broker.store.users.upsertFromIdp({ id: `usr_ada_${g}`, issuer: 'https://idp.test', subject: `ada-${g}`, kind: 'workforce', organization: 'st-mary', roles: '["access-approver"]', createdAt: Date.now(), updatedAt: Date.now() });
    const { endGrant } = await import('../../../src/access/grants.js');
    const t0 = Date.now();
    expect(await endGrant(broker.access.deps, g, approver.id, 'vendor finished', t0)).toBe(true);
    expect((await ended) - t0).toBeLessThan(1000);
    const [close] = await auditOf('gateway.tunnel.close', (d) => d.grantId === g);
    expect(close).toMatchObject({ cause: 'grant-ended:revoked' });
    expect(await auditOf('gateway.session.cut', (d) => d.grantId === g)).toHaveLength(1);
  });

  it('closes an open tunnel within a second of the grant’s end', async () => {
    const g = await onlyGrant(vic.userId, 'echo', 2000);
    const endAt = (await broker.store.access.getGrant(g))!.endAt;
    const t = await tunnel(vic, 'echo');
    expect(t.reply?.open).toBe(true);
    const at = await closed(t.socket);
    expect(at - endAt).toBeLessThan(1000);
    expect(at - endAt).toBeGreaterThanOrEqual(-50);
    const [close] = await auditOf('gateway.tunnel.close', (d) => d.grantId === g);
    expect(close!.cause).toMatch(/^grant-ended:expired$/);
  });

  it('records the raw byte stream of a recording target to the file named in the audit', async () => {
    const g = await grant(vic.userId, 'echo-rec', 60_000);
    const t = await tunnel(vic, 'echo-rec');
    expect(t.reply?.open).toBe(true);
    t.socket.write('HELO service-port\r\n');
    await new Promise<void>((resolve) => t.socket.once('data', () => resolve()));
    t.socket.end();
    const [close] = await auditOf('gateway.tunnel.close', (d) => d.grantId === g);
    expect(close!.recording).toMatch(/\.rgrec$/);
    const rec = readRecording(readFileSync(close!.recording));
    expect(rec.meta).toMatchObject({ target: 'echo-rec', user: vic.userId, grantId: g });
    expect(Buffer.concat(rec.frames.filter((f) => f.direction === 0).map((f) => f.data)).toString()).toBe('HELO service-port\r\n');
    expect(Buffer.concat(rec.frames.filter((f) => f.direction === 1).map((f) => f.data)).toString()).toBe('HELO service-port\r\n');
  });

  it('answers upstream-unreachable when the target does not accept the connection', async () => {
    const g = await grant(vic.userId, 'dead', 60_000);
    expect((await tunnel(vic, 'dead')).reply).toEqual({ open: false, reason: 'upstream-unreachable' });
    const [close] = await auditOf('gateway.tunnel.close', (d) => d.grantId === g);
    expect(close).toMatchObject({ outcome: 'failure', cause: 'upstream-unreachable', bytesUp: 0, bytesDown: 0 });
  });
});
