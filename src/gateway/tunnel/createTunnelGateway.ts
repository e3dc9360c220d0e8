// The vendor tunnel gateway. Per connection, in order: mTLS with the broker CA → the
// preface naming the target (bounded, timed) → certificate → user, login session and
// device posture → the target → the grant for (user, target) → policy `tunnel.connect`
// with context.grant → the decision durable in the audit → connect upstream → answer
// "open" → pipe bytes both ways (node:net). The connection is a live session carrying
// its grant id, so revocation, expiry, logout or posture changes cut it within a second;
// a timer at the grant's end cuts it too. Open and close are audited with bytes each
// way, duration and the close cause.
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { targetEntity } from '../../access/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { Ca } from '../../ca/index.js';
import type { Devices } from '../../devices/index.js';
import { tlsServerOptions } from '../../http/index.js';
import type { Identity } from '../../identity/index.js';
import type { Logger } from '../../log/index.js';
import type { DecisionContext, PolicyEngine } from '../../policy/index.js';
import type { GrantRow, TargetRow } from '../../store/index.js';
import { createCertificateCallerResolver, normaliseAddress, type CertificateCaller } from '../resolveCaller.js';
import type { SessionRegistry } from '../sessions/index.js';
import { encodeReply, TUNNEL_ALPN } from './preface.js';
import { readPreface } from './readPreface.js';
import { openRecorder, recordingFile, type SessionRecorder } from './sessionRecorder.js';

/** What the gateway needs from the access module (server.ts passes broker.access). */
export interface TunnelAccess {
  target(name: string): Promise<TargetRow | undefined>;
  grantFor(userId: string, target: string, certificateGrantId: string | undefined, now: number): Promise<{ row: GrantRow; context: NonNullable<DecisionContext['grant']> } | undefined>;
}

export interface TunnelGatewayOptions {
  broker: {
    ca: Pick<Ca, 'isRevoked' | 'serverCredentials' | 'trustPem'>;
    policy: Pick<PolicyEngine, 'authorize'>;
    identity: Pick<Identity, 'sessions'>;
    devices: Pick<Devices, 'deviceContext'>;
    liveSessions: SessionRegistry;
    audit: Pick<AuditLog, 'append'>;
    access: TunnelAccess;
    logger?: Logger | undefined;
  };
  listen: { host: string; port: number };
  /** Host name agents dial; default localhost for loopback listeners. */
  publicHost?: string | undefined;
  /** Absolute directory for session recordings. */
  recordingDir: string;
  prefaceTimeoutMs?: number;
  upstreamConnectTimeoutMs?: number;
  clock?: () => number;
}

export interface TunnelGateway {
  readonly host: string;
  readonly port: number;
  /** Open tunnels right now. */
  readonly open: number;
  close(): Promise<void>;
}

interface Conn {
  /** Names the connection in its open and close events (and its recording file). */
  id: string;
  started: number;
  remote: string | undefined;
  target?: string;
  caller?: CertificateCaller;
  grantId?: string;
  liveSession?: string;
  recording?: string;
  cause?: string;
}

export async function createTunnelGateway(o: TunnelGatewayOptions): Promise<TunnelGateway> {
  const { ca, policy, liveSessions, audit, access } = o.broker;
  const logger = o.broker.logger;
  const clock = o.clock ?? Date.now;
  const prefaceTimeoutMs = o.prefaceTimeoutMs ?? 10_000;
  const connectTimeoutMs = o.upstreamConnectTimeoutMs ?? 10_000;
  const resolveCaller = createCertificateCallerResolver({ ca, identity: o.broker.identity, devices: o.broker.devices, clock });
  const stops = new Set<(cause: string) => void>();

  const actorOf = (c: Conn) => (c.caller ? `Radgate::User::${JSON.stringify(c.caller.user.id)}` : 'anonymous');
  const appendDurable = (type: string, c: Conn, outcome: 'success' | 'deny' | 'error' | 'failure', detail: Record<string, unknown>) =>
    audit.append({
      type,
      actor: actorOf(c),
      outcome,
      detail: { connection: c.id, target: c.target ?? null, source: c.remote ?? null, serial: c.caller?.id.serial ?? null, deviceId: c.caller?.id.deviceId ?? null, sessionId: c.caller?.session.id ?? null, grantId: c.grantId ?? null, ...detail },
    });
  const append = (type: string, c: Conn, outcome: 'success' | 'deny' | 'error' | 'failure', detail: Record<string, unknown>) =>
    appendDurable(type, c, outcome, detail).catch((err: unknown) => logger?.error({ err: String(err) }, `${type} audit append failed`));

  /** The one place a refusal turns into bytes: the reply with its reason, then close. */
  const refuse = (socket: TLSSocket, c: Conn, reason: string, detail: Record<string, unknown> = {}, outcome: 'deny' | 'error' = 'deny', wire = reason) => {
    void append('gateway.tunnel.open', c, outcome, { reason, ...detail });
    if (!socket.destroyed) socket.end(encodeReply(false, wire));
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  async function decide(caller: CertificateCaller, target: TargetRow, certGrant: string | undefined, source: string | undefined) {
    const now = clock();
    const grant = await access.grantFor(caller.user.id, target.name, certGrant, now);
    const resource = targetEntity(target);
    const d = new Date(now);
    const context: DecisionContext = { auth: caller.auth, device: caller.device, time: { hour: d.getHours(), weekday: d.getDay() === 0 ? 7 : d.getDay() } };
    if (source) context.network = { source };
    if (grant) context.grant = grant.context;
    if (grant?.row.breakGlass) context.breakGlass = true;
    return { grant, decision: policy.authorize(caller.principal, 'tunnel.connect', resource, context) };
  }

  async function handle(socket: TLSSocket): Promise<void> {
    const c: Conn = { id: `tun_${randomBytes(9).toString('base64url')}`, started: clock(), remote: normaliseAddress(socket.remoteAddress) };
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    // 1. The preface, bounded in size and time.
    const parsed = await readPreface(socket, prefaceTimeoutMs);
    if (parsed.status !== 'ok') return refuse(socket, c, parsed.reason, { detail: parsed.detail });
    c.target = parsed.target;

    // 2. Who: certificate → user, login session, device (the target is looked up meanwhile).
    const targetLookup = access.target(parsed.target);
    targetLookup.catch(() => undefined);
    const who = await resolveCaller(socket);
    if (!who.ok) return refuse(socket, c, who.reason, who.id ? { serial: who.id.serial, deviceId: who.id.deviceId, sessionId: who.id.sessionId } : {});
    const caller = who.caller;
    c.caller = caller;

    // 3. What: a live tcp target.
    const target = await targetLookup;
    if (!target || target.kind !== 'tcp') return refuse(socket, c, 'unknown-target');

    // 4. Policy with the grant in context; data flows only after the decision is durable.
    const first = await decide(caller, target, caller.id.grantId, c.remote);
    c.grantId = first.grant?.row.id;
    if (first.decision.decision !== 'allow') {
      first.decision.durable.catch(() => undefined);
      // The client learns the policy's reason codes (no-active-grant, posture-stale, …).
      return refuse(socket, c, 'policy-denied', { policyReasons: [...first.decision.reasons] }, 'deny', first.decision.reasons.join(','));
    }
    const grant = first.grant!.row;
    // The upstream connection starts while the decision commits; no byte moves before both.
    const [host, portText] = splitHostPort(target.address);
    const upstream: Socket = netConnect({ host, port: Number(portText), noDelay: true, allowHalfOpen: true });
    upstream.setTimeout(connectTimeoutMs);
    const connecting = new Promise<boolean>((resolve) => {
      upstream.once('connect', () => resolve(true));
      upstream.once('error', () => resolve(false));
      upstream.once('timeout', () => resolve(false));
    });
    // The open event joins the decision's commit (one fsync): both are durable before any byte moves.
    c.recording = target.recording ? recordingFile(o.recordingDir, c.id) : undefined;
    const opened = appendDurable('gateway.tunnel.open', c, 'success', { recording: c.recording ?? null, grantEndsAt: grant.endAt, breakGlass: grant.breakGlass });
    let decisionSeq: number;
    try {
      [{ seq: decisionSeq }] = await Promise.all([first.decision.durable, opened]);
    } catch {
      upstream.destroy();
      return refuse(socket, c, 'audit-unavailable', {}, 'error');
    }
    const connected = await connecting;
    upstream.setTimeout(0);
    if (!connected || socket.destroyed) {
      upstream.destroy();
      const cause = socket.destroyed ? 'client-gone' : 'upstream-unreachable';
      void append('gateway.tunnel.close', c, 'failure', { bytesUp: 0, bytesDown: 0, durationMs: clock() - c.started, cause, decisionSeq, recording: null });
      if (!socket.destroyed) socket.end(encodeReply(false, cause));
      return;
    }
    upstream.on('error', () => undefined);

    // 5. Open: register, answer, pipe.
    let recorder: SessionRecorder | undefined;
    let closed = false;
    const cut = (cause: string) => {
      if (!c.cause) c.cause = cause;
      socket.destroy();
      upstream.destroy();
    };
    const reg = liveSessions.register({
      gateway: 'tunnel',
      userId: caller.user.id,
      deviceId: caller.id.deviceId,
      serial: caller.id.serial,
      loginSessionId: caller.session.id,
      grantId: grant.id,
      target: target.name,
      recheck: async () => {
        const again = await resolveCaller(socket);
        if (!again.ok) return false;
        const r = await decide(again.caller, target, caller.id.grantId, c.remote);
        r.decision.durable.catch(() => undefined);
        return r.decision.decision === 'allow' && r.grant?.row.id === grant.id;
      },
      close: cut,
    });
    c.liveSession = reg.session.id;
    stops.add(cut);
    // Defence in depth: the grant's end closes the tunnel even if no event arrives.
    const endTimer = setTimeout(() => cut('grant-ended:expired'), Math.min(2 ** 31 - 1, Math.max(0, grant.endAt - clock())));
    endTimer.unref();
    if (target.recording) {
      try {
        recorder = openRecorder(c.recording!, { connection: c.id, target: target.name, user: caller.user.id, grantId: grant.id, serial: caller.id.serial }, clock);
        const rec = recorder;
        socket.on('data', (chunk: Buffer) => rec.write(0, chunk));
        upstream.on('data', (chunk: Buffer) => rec.write(1, chunk));
      } catch (err) {
        logger?.error({ err: String(err) }, 'tunnel recording could not start');
        c.recording = undefined;
      }
    }

    // Both directions close on their own (half-close is passed on); a socket is destroyed
    // only on error, on a cut, or when its peer lingers half-open after the other side closed.
    const lingerMs = 30_000;
    let open = 2;
    const finish = () => {
      if (closed) return;
      closed = true;
      clearTimeout(endTimer);
      stops.delete(cut);
      reg.unregister();
      const bytesUp = upstream.bytesWritten;
      const bytesDown = upstream.bytesRead;
      reg.session.bytesIn = bytesUp;
      reg.session.bytesOut = bytesDown;
      void (recorder?.close() ?? Promise.resolve()).then(() =>
        append('gateway.tunnel.close', c, 'success', { liveSession: reg.session.id, decisionSeq, bytesUp, bytesDown, durationMs: clock() - c.started, cause: c.cause ?? 'unknown', recording: c.recording ?? null }),
      );
    };
    const onClose = (other: Socket, hadError: boolean, cause: string) => {
      if (!c.cause) c.cause = hadError ? `${cause}-error` : cause;
      if (hadError) other.destroy();
      else setTimeout(() => other.destroy(), lingerMs).unref();
      if (--open === 0) finish();
    };
    socket.once('end', () => void (c.cause ??= 'client-closed'));
    upstream.once('end', () => void (c.cause ??= 'upstream-closed'));
    socket.once('close', (hadError) => onClose(upstream, hadError, 'client-closed'));
    upstream.once('close', (hadError) => onClose(socket, hadError, 'upstream-closed'));
    socket.write(encodeReply(true, 'open'));
    if (parsed.rest.length > 0) upstream.write(parsed.rest);
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.resume();
  }

  const creds = await ca.serverCredentials();
  const server: Server = createServer({ ...tlsServerOptions({ cert: creds.cert, key: creds.key, clientCa: ca.trustPem() }, 'require'), ALPNProtocols: [TUNNEL_ALPN], handshakeTimeout: 10_000, allowHalfOpen: true }, (socket) => {
    handle(socket).catch((err: unknown) => {
      logger?.error({ err: String(err) }, 'tunnel connection failed');
      socket.destroy();
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.publicHost ?? (o.listen.host === '127.0.0.1' || o.listen.host === '::1' ? 'localhost' : o.listen.host);
  return {
    host,
    port,
    get open() {
      return stops.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const stop of [...stops]) stop('gateway-closed');
        server.close(() => resolve());
      }),
  };
}

function splitHostPort(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  return [host.startsWith('[') ? host.slice(1, -1) : host, address.slice(i + 1)];
}

export const recordingPath = (home: string, dir: string): string => path.resolve(home, dir);
