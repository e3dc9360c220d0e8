// The DICOMweb gateway listener (first slice: mTLS clients only; the browser cookie path
// comes later). Per request: client certificate → user, login session and device posture
// → classifier → policy → stream to and from the PACS. The upstream request starts as
// soon as policy allows; nothing reaches the client before the decision is durable.
// Every in-flight request is a live session, so revocation cuts it mid-stream.
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transform, pipeline } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { readCertificateIdentity, type CertificateIdentity } from '../../ca/index.js';
import { tlsServerOptions } from '../../http/index.js';
import { authContext, authFacts, principalFor, type SessionInfo, type User } from '../../identity/index.js';
import type { Decision, DecisionContext, EntityDescription, EntityRef } from '../../policy/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { Ca } from '../../ca/index.js';
import type { Devices } from '../../devices/index.js';
import type { Identity } from '../../identity/index.js';
import type { Logger } from '../../log/index.js';
import type { PolicyEngine } from '../../policy/index.js';
import type { SessionRegistry } from '../sessions/index.js';
import type { LiveSession } from '../sessions/index.js';
import { gatewayProblem, sendProblem, type GatewayProblem } from './decisionResponse.js';
import type { DicomwebRequest } from './dicomwebTypes.js';
import { parseDicomwebRequest } from './parseDicomwebRequest.js';
import { clientResponseHeaders, startUpstream } from './proxyToUpstream.js';

export interface HttpGatewayTarget {
  /** Target entity id in policy (`Radgate::Target::"<name>"`). */
  name: string;
  /** `http://host:port` of the PACS. */
  upstream: string;
  /** Public DICOMweb prefix, e.g. `/dicom-web`. */
  root: string;
  upstreamRoot?: string;
  /** `Authorization` value the broker presents to the PACS. */
  authorization: string;
  department: string;
  site?: string;
  risk?: 'low' | 'medium' | 'high';
}

export interface HttpGatewayOptions {
  /** The broker's parts the gateway uses (server.ts wires them; imports point downwards). */
  broker: { ca: Ca; policy: PolicyEngine; identity: Identity; devices: Devices; liveSessions: SessionRegistry; audit: Pick<AuditLog, 'append'>; logger?: Logger };
  listen: { host: string; port: number };
  target: HttpGatewayTarget;
  maxQidoLimit?: number;
  /** Idle timeout towards the PACS; default 30 s. */
  upstreamTimeoutMs?: number;
  clock?: () => number;
}

export interface HttpGateway {
  /** `https://localhost:<port>` (the broker's server certificate names localhost). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A verified caller: certificate, user, live login session and device posture. */
interface Caller {
  id: CertificateIdentity;
  user: User;
  session: SessionInfo;
  principal: EntityDescription;
  auth: NonNullable<DecisionContext['auth']>;
  device: NonNullable<DecisionContext['device']>;
}

type CallerResult = { ok: true; caller: Caller } | { ok: false; reason: string; detail: string; id?: CertificateIdentity };

interface RequestRecord {
  started: number;
  method: string;
  outcome: 'success' | 'deny' | 'error' | 'failure';
  reason?: string;
  userId?: string;
  serial?: string;
  deviceId?: string;
  sessionId?: string;
  route?: string;
  action?: string;
  study?: string;
  decisionSeq?: number;
  liveSession?: string;
  cut?: string;
  bytesOut: number;
}

export async function createHttpGateway(o: HttpGatewayOptions): Promise<HttpGateway> {
  const { ca, policy, identity, devices, liveSessions, audit } = o.broker;
  const logger = o.broker.logger;
  const clock = o.clock ?? Date.now;
  const t = o.target;
  const upstreamTimeoutMs = o.upstreamTimeoutMs ?? 30_000;
  const agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: upstreamTimeoutMs });
  const targetUid: EntityRef = Object.freeze({ type: 'Radgate::Target', id: t.name });
  const targetAttrs: Record<string, string> = { kind: 'pacs-dicomweb', department: t.department };
  if (t.site) targetAttrs.site = t.site;
  if (t.risk) targetAttrs.risk = t.risk;
  const targetEntity: EntityDescription = Object.freeze({ uid: targetUid, attrs: Object.freeze(targetAttrs) });
  const inFlight = new Set<() => void>();

  async function resolveCaller(socket: TLSSocket): Promise<CallerResult> {
    if (!socket.authorized) return { ok: false, reason: 'client-certificate-required', detail: 'a verified client certificate is required' };
    const x509 = socket.getPeerX509Certificate();
    const id = x509 && readCertificateIdentity(x509);
    if (!x509 || !id) return { ok: false, reason: 'certificate-unusable', detail: 'the client certificate does not name a radgate user, device and session' };
    const now = clock();
    if (ca.isRevoked(id.serial)) return { ok: false, reason: 'certificate-revoked', detail: 'the client certificate is revoked', id };
    if (Date.parse(x509.validTo) <= now || Date.parse(x509.validFrom) > now) return { ok: false, reason: 'certificate-expired', detail: 'the client certificate is not valid now', id };
    const user = await identity.sessions.getUser(id.userId);
    if (!user || user.disabled) return { ok: false, reason: 'user-disabled', detail: 'the user is unknown or disabled', id };
    const session = await identity.sessions.getSession(id.sessionId);
    if (!session || session.userId !== user.id || session.state !== 'active' || session.expiresAt <= now) {
      return { ok: false, reason: 'login-session-ended', detail: 'the login session behind this certificate has ended; log in again', id };
    }
    const device = await devices.deviceContext(id.deviceId, user.id);
    if (!device) return { ok: false, reason: 'device-inactive', detail: 'the device is unknown, not yours or not active', id };
    return { ok: true, caller: { id, user, session, principal: principalFor(user), auth: authContext(authFacts(session, now)), device } };
  }

  function decide(caller: Caller, parsed: DicomwebRequest, source: string | undefined): Decision {
    const resource: EntityDescription = parsed.study
      ? { uid: { type: 'Radgate::Study', id: parsed.study }, attrs: { target: { ...targetUid }, department: t.department }, parents: [targetUid] }
      : targetEntity;
    const bulk = parsed.action === 'dicomweb.retrieve' && (parsed.level === 'studies' || parsed.level === 'series') && parsed.variant !== 'rendered' && parsed.variant !== 'thumbnail';
    const d = new Date(clock());
    const context: DecisionContext = {
      auth: caller.auth,
      device: caller.device,
      time: { hour: d.getHours(), weekday: d.getDay() === 0 ? 7 : d.getDay() },
      request: { bulk },
    };
    if (source) context.network = { source };
    return policy.authorize(caller.principal, parsed.action, resource, context, parsed.study ? [targetEntity] : []);
  }

  function writeAudit(rec: RequestRecord, status: number): void {
    const detail: Record<string, unknown> = {
      target: t.name,
      method: rec.method,
      status,
      bytes: rec.bytesOut,
      durationMs: clock() - rec.started,
      route: rec.route ?? null,
      action: rec.action ?? null,
      study: rec.study ?? null,
      reason: rec.reason ?? null,
      serial: rec.serial ?? null,
      deviceId: rec.deviceId ?? null,
      sessionId: rec.sessionId ?? null,
      liveSession: rec.liveSession ?? null,
      decisionSeq: rec.decisionSeq ?? null,
      cut: rec.cut ?? null,
    };
    audit
      .append({ type: 'gateway.http.request', actor: rec.userId ? `Radgate::User::${JSON.stringify(rec.userId)}` : 'anonymous', outcome: rec.outcome, detail })
      .catch((err: unknown) => logger?.error({ err: String(err) }, 'gateway.http.request audit append failed'));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec: RequestRecord = { started: clock(), method: req.method ?? '', outcome: 'error', bytesOut: 0 };
    let audited = false;
    res.once('close', () => {
      if (audited) return;
      audited = true;
      if (!res.writableFinished && rec.outcome === 'success') rec.outcome = 'failure';
      writeAudit(rec, res.statusCode);
    });
    const refuse = (p: GatewayProblem, outcome: RequestRecord['outcome'], headers?: Record<string, string>) => {
      rec.outcome = outcome;
      rec.reason = p.reason ?? p.code;
      // Refusals never read a request body; close the connection rather than drain it.
      if (req.method === 'POST') res.shouldKeepAlive = false;
      sendProblem(res, p, headers);
    };

    const socket = req.socket as TLSSocket;
    const who = await resolveCaller(socket);
    if (!who.ok) {
      if (who.id) Object.assign(rec, { userId: who.id.userId, serial: who.id.serial, deviceId: who.id.deviceId, sessionId: who.id.sessionId });
      return refuse(gatewayProblem(403, who.reason, who.detail), 'deny');
    }
    const caller = who.caller;
    Object.assign(rec, { userId: caller.user.id, serial: caller.id.serial, deviceId: caller.id.deviceId, sessionId: caller.session.id });

    const parsed = parseDicomwebRequest({ method: req.method ?? '', rawUrl: req.url ?? '', root: t.root, upstreamRoot: t.upstreamRoot ?? t.root, maxQidoLimit: o.maxQidoLimit });
    if (!parsed.ok) return refuse(gatewayProblem(parsed.status, parsed.reason, parsed.message), 'deny', parsed.allow ? { allow: parsed.allow.join(', ') } : {});
    Object.assign(rec, { route: parsed.route, action: parsed.action, study: parsed.study });

    const source = normaliseAddress(socket.remoteAddress);
    const decision = decide(caller, parsed, source);
    if (decision.decision !== 'allow') {
      decision.durable.catch(() => undefined);
      return refuse(gatewayProblem(403, 'policy-denied', 'denied by policy', { reasons: decision.reasons }), 'deny');
    }

    // Allowed: start the upstream leg now, in parallel with the audit commit.
    const upstream = startUpstream({ agent, target: t, method: parsed.method, path: parsed.upstreamPath, clientHeaders: req.headers, timeoutMs: upstreamTimeoutMs });
    upstream.on('error', () => undefined); // surfaced through the response promise below
    let live: LiveSession | undefined;
    const cut = (reason: string) => {
      rec.cut = reason;
      upstream.destroy();
      socket.destroy();
    };
    const reg = liveSessions.register({
      gateway: 'http',
      userId: caller.user.id,
      deviceId: caller.id.deviceId,
      serial: caller.id.serial,
      loginSessionId: caller.session.id,
      grantId: caller.id.grantId ?? null,
      target: parsed.study ? `${t.name}/${parsed.study}` : t.name,
      recheck: async () => {
        const again = await resolveCaller(socket);
        if (!again.ok) return false;
        const d = decide(again.caller, parsed, source);
        d.durable.catch(() => undefined);
        return d.decision === 'allow';
      },
      close: cut,
    });
    live = reg.session;
    rec.liveSession = live.id;
    const forget = () => {
      reg.unregister();
      inFlight.delete(stop);
    };
    const stop = () => cut('gateway-closed');
    inFlight.add(stop);
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      forget();
    });

    if (parsed.method === 'POST') {
      // The body goes to the PACS only once the decision is on record.
      decision.durable.then(
        () => pipeline(req, upstream, () => undefined),
        () => upstream.destroy(),
      );
    } else {
      upstream.end();
    }

    const upstreamResponse = new Promise<IncomingMessage>((resolve, reject) => {
      upstream.once('response', resolve);
      upstream.once('error', reject);
      upstream.once('close', () => reject(new Error('upstream closed')));
    });
    let upRes: IncomingMessage;
    try {
      const [receipt, r] = await Promise.all([
        decision.durable.catch((err: unknown) => {
          throw Object.assign(new Error('audit'), { audit: true, cause: err });
        }),
        upstreamResponse,
      ]);
      rec.decisionSeq = receipt.seq;
      upRes = r;
    } catch (err) {
      upstream.destroy();
      if (res.destroyed) return;
      if ((err as { audit?: boolean }).audit) return refuse(gatewayProblem(503, 'audit-unavailable', 'the decision could not be recorded'), 'error');
      return refuse(gatewayProblem(502, 'upstream-error', 'the PACS did not answer'), 'error');
    }
    if (res.destroyed) {
      upRes.destroy();
      return;
    }
    const status = upRes.statusCode ?? 502;
    if (status === 401 || status === 407) {
      upRes.resume();
      return refuse(gatewayProblem(502, 'upstream-auth', 'the PACS refused the gateway credentials'), 'error');
    }
    rec.outcome = 'success';
    res.writeHead(status, clientResponseHeaders(upRes.headers));
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        rec.bytesOut += chunk.length;
        if (live) live.bytesOut += chunk.length;
        cb(null, chunk);
      },
    });
    pipeline(upRes, count, res, (err) => {
      if (err) {
        if (rec.outcome === 'success') rec.outcome = 'failure';
        upstream.destroy();
        res.destroy();
      }
    });
  }

  const creds = await ca.serverCredentials();
  const server: Server = createServer({ ...tlsServerOptions({ cert: creds.cert, key: creds.key, clientCa: ca.trustPem() }, 'require') }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger?.error({ err: String(err) }, 'gateway request failed');
      sendProblem(res, gatewayProblem(500, 'internal', 'internal error'));
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 300_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.listen.host === '127.0.0.1' || o.listen.host === '::1' ? 'localhost' : o.listen.host;
  return {
    url: `https://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stop of [...inFlight]) stop();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** IPv4-mapped IPv6 to dotted IPv4 (Cedar `ip()` and audit readers expect the plain form). */
function normaliseAddress(a: string | undefined): string | undefined {
  if (!a) return undefined;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
