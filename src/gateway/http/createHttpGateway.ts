// The DICOMweb gateway listener. Per request: caller (client certificate, or a browser's
// login-session cookie with an unmanaged device) → classifier → study facts → policy →
// stream to and from the PACS. The upstream request starts as soon as policy allows;
// nothing reaches the client before the decision is durable. Study-level QIDO results
// are filtered per study while they stream. Every in-flight request is a live session,
// so revocation, logout, posture or policy changes cut it mid-stream.
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transform, pipeline } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { AuditLog } from '../../audit/index.js';
import type { Ca } from '../../ca/index.js';
import type { Devices } from '../../devices/index.js';
import type { EventBus } from '../../events/index.js';
import { tlsServerOptions } from '../../http/index.js';
import { verifyCsrf, type Identity } from '../../identity/index.js';
import type { Logger } from '../../log/index.js';
import type { CedarValue, Decision, DecisionContext, EntityDescription, EntityRef, PolicyEngine } from '../../policy/index.js';
import type { LiveSession, SessionRegistry } from '../sessions/index.js';
import { normaliseAddress } from '../resolveCaller.js';
import { createCallerResolver, type Caller } from './callers.js';
import { gatewayProblem, sendProblem, type GatewayProblem } from './decisionResponse.js';
import type { DicomwebRequest } from './dicomwebTypes.js';
import { parseDicomwebRequest } from './parseDicomwebRequest.js';
import { clientResponseHeaders, startUpstream } from './proxyToUpstream.js';
import { createQidoFilter, filterQidoBody, type QidoFilterOptions } from './qidoFilter.js';
import { createRequestAuditCoalescer } from './requestAuditCoalescer.js';
import { createStudyDirectory, type StudyDirectory, type StudyFacts } from './studyDirectory.js';

export interface HttpGatewayTarget {
  /** Target entity id in policy (`Radgate::Target::"<name>"`). */
  name: string;
  /** `http://host:port` of the PACS. */
  upstream: string;
  /** Public DICOMweb prefix, e.g. `/dicom-web`; unique per gateway. */
  root: string;
  upstreamRoot?: string;
  /** `Authorization` value the broker presents to the PACS. */
  authorization: string;
  /** The target's department; also a study's department when the PACS records none (`studyDepartmentFallback`). */
  department: string;
  site?: string;
  risk?: 'low' | 'medium' | 'high';
  /** Send X-Radgate-User/-Session/-Device to this PACS (only honoured for loopback upstreams). */
  identityHeaders?: boolean;
  /** Where a study's department comes from when the PACS has none: the target's, or none (deny). */
  studyDepartmentFallback?: 'target' | 'none';
}

export interface HttpGatewayLimits {
  /** Largest QIDO `limit`, also applied when absent. */
  maxQidoLimit?: number;
  /** Idle timeout towards the PACS, ms; default 30 s. */
  upstreamTimeoutMs?: number;
  /** Whole request head must arrive within this, ms (slow-header defence); default 10 s. */
  headersTimeoutMs?: number;
  /** Whole request (incl. body) within this, ms; default 300 s. */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections close after this, ms; default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Request head size limit in bytes; default 16 KiB. */
  maxHeaderBytes?: number;
  /** Upstream connections kept per target; default 64. */
  upstreamSockets?: number;
}

export interface HttpGatewayOptions {
  /** The broker's parts the gateway uses (server.ts wires them; imports point downwards). */
  broker: {
    ca: Ca;
    policy: PolicyEngine;
    identity: Identity;
    devices: Devices;
    liveSessions: SessionRegistry;
    audit: Pick<AuditLog, 'append'>;
    bus?: Pick<EventBus, 'on'>;
    logger?: Logger;
  };
  listen: { host: string; port: number };
  targets: readonly HttpGatewayTarget[];
  limits?: HttpGatewayLimits;
  /** Origins whose pages may make cookie-authenticated state changes (STOW); the gateway's own is added. */
  trustedOrigins?: readonly string[];
  /** Coalescing window for per-request audit records, ms; 0 disables. Default 10 s. */
  auditCoalesceMs?: number;
  /** Study facts cache TTL, ms; default 30 s. */
  studyCacheTtlMs?: number;
  /**
   * The access module's grant lookup: vendors, and anyone whose certificate is bound to a
   * grant (break-glass), get `context.grant` (and `breakGlass`) for the target.
   */
  grants?: { grantFor(userId: string, target: string, certificateGrantId: string | undefined, now: number): Promise<{ row: { breakGlass: boolean }; context: NonNullable<DecisionContext['grant']> } | undefined> };
  /** Risk score (0-100) of a user from analytics, for context.risk; absent = not known. */
  riskScore?: (userId: string) => number | undefined;
  clock?: () => number;
}

export interface HttpGateway {
  /** `https://localhost:<port>` (the broker's server certificate names localhost). */
  readonly url: string;
  readonly port: number;
  readonly targets: readonly { name: string; root: string }[];
  close(): Promise<void>;
}

interface RequestRecord {
  started: number;
  method: string;
  target?: string;
  outcome: 'success' | 'deny' | 'error' | 'failure';
  reason?: string;
  userId?: string;
  via?: string;
  serial?: string;
  deviceId?: string;
  sessionId?: string;
  route?: string;
  action?: string;
  study?: string;
  patientId?: string;
  source?: string;
  series?: string;
  instance?: string;
  decisionSeq?: number;
  liveSession?: string;
  cut?: string;
  filtered?: { passed: number; withheld: number };
  bytesIn: number;
  bytesOut: number;
}

interface TargetRuntime {
  t: HttpGatewayTarget;
  uid: EntityRef;
  entity: EntityDescription;
  agent: Agent;
  studies: StudyDirectory;
  loopback: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);
/**
 * Rendered/thumbnail media type for the PACS: a browser navigating to an image sends
 * `text/html,…,image/avif,image/webp,*\/*`, which PACSes refuse (Orthanc: 400). One type
 * of the PS3.18 rendered set goes upstream: the client's if it named exactly one, else
 * PNG when it accepts PNG, else JPEG (the one every origin server must offer).
 */
export function renderedAccept(accept: string | undefined): string {
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase()).filter(Boolean);
  const rendered = ['image/jpeg', 'image/png', 'image/gif', 'image/jp2', 'video/mpeg', 'video/mp4', 'application/pdf', 'text/plain'];
  if (types.length === 1 && rendered.includes(types[0]!)) return types[0]!;
  return types.includes('image/png') ? 'image/png' : 'image/jpeg';
}

/** QIDO answers up to this size are filtered in memory and sent in one write. */
const SMALL_QIDO_BYTES = 64 * 1024;

function readBounded(stream: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) stream.destroy(new Error('answer larger than announced'));
      else chunks.push(c);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks, size)));
    stream.once('error', reject);
    stream.once('close', () => reject(new Error('upstream closed')));
  });
}

export async function createHttpGateway(o: HttpGatewayOptions): Promise<HttpGateway> {
  const { ca, policy, identity, devices, liveSessions, audit } = o.broker;
  const logger = o.broker.logger;
  const clock = o.clock ?? Date.now;
  const limits = o.limits ?? {};
  const upstreamTimeoutMs = limits.upstreamTimeoutMs ?? 30_000;
  if (o.targets.length === 0) throw new Error('the DICOMweb gateway needs at least one target');
  const roots = new Set<string>();
  const runtimes: TargetRuntime[] = o.targets.map((t) => {
    const root = t.root.replace(/\/+$/, '');
    if (roots.has(root)) throw new Error(`two DICOMweb targets share the root ${root}`);
    roots.add(root);
    const uid: EntityRef = Object.freeze({ type: 'Radgate::Target', id: t.name });
    const attrs: Record<string, string> = { kind: 'pacs-dicomweb', department: t.department };
    if (t.site) attrs.site = t.site;
    if (t.risk) attrs.risk = t.risk;
    const agent = new Agent({ keepAlive: true, maxSockets: limits.upstreamSockets ?? 64, maxFreeSockets: limits.upstreamSockets ?? 64, timeout: upstreamTimeoutMs, scheduling: 'lifo' });
    const upstreamRoot = t.upstreamRoot ?? t.root;
    return {
      t: { ...t, root },
      uid,
      entity: Object.freeze({ uid, attrs: Object.freeze(attrs) }),
      agent,
      studies: createStudyDirectory({ agent, upstream: t.upstream, upstreamRoot, authorization: t.authorization, ttlMs: o.studyCacheTtlMs, timeoutMs: Math.min(upstreamTimeoutMs, 10_000), clock }),
      loopback: LOOPBACK_HOSTS.has(new URL(t.upstream).hostname),
    };
  });
  // Longest root first, so `/a/dicom-web` wins over `/dicom-web`... never ambiguous because roots are whole segments.
  const byRoot = [...runtimes].sort((a, b) => b.t.root.length - a.t.root.length);
  const callers = createCallerResolver({ ca, identity, devices, bus: o.broker.bus, clock });
  const inFlight = new Set<() => void>();
  const coalescer = createRequestAuditCoalescer({
    windowMs: o.auditCoalesceMs ?? 10_000,
    write: (e) => void audit.append(e).catch((err: unknown) => logger?.error({ err: String(err) }, 'gateway.http.request audit append failed')),
  });
  let ownOrigin = '';

  const targetFor = (rawUrl: string): TargetRuntime | undefined =>
    byRoot.find((r) => rawUrl === r.t.root || rawUrl.startsWith(`${r.t.root}/`) || rawUrl.startsWith(`${r.t.root}?`));

  function studyEntity(rt: TargetRuntime, uid: string, facts: StudyFacts | null): EntityDescription {
    const attrs: Record<string, CedarValue> = { target: { ...rt.uid } };
    const department = facts?.department ?? (rt.t.studyDepartmentFallback === 'none' ? undefined : rt.t.department);
    if (department) attrs.department = department;
    return { uid: { type: 'Radgate::Study', id: uid }, attrs, parents: [rt.uid] };
  }

  /** Grant facts for vendors and grant-bound certificates; nothing for everyone else (no store hit). */
  async function grantFacts(rt: TargetRuntime, caller: Caller): Promise<Pick<DecisionContext, 'grant' | 'breakGlass'>> {
    if (!o.grants || (caller.user.kind !== 'vendor' && !caller.id?.grantId)) return {};
    const g = await o.grants.grantFor(caller.user.id, rt.t.name, caller.id?.grantId, clock());
    if (!g) return {};
    return g.row.breakGlass && g.context.active ? { grant: g.context, breakGlass: true } : { grant: g.context };
  }

  function contextFor(caller: Caller, parsed: Pick<DicomwebRequest, 'action' | 'level' | 'variant'>, source: string | undefined, extra: Pick<DecisionContext, 'grant' | 'breakGlass'> = {}): DecisionContext {
    const bulk = parsed.action === 'dicomweb.retrieve' && (parsed.level === 'studies' || parsed.level === 'series') && parsed.variant !== 'rendered' && parsed.variant !== 'thumbnail';
    const d = new Date(clock());
    const context: DecisionContext = {
      auth: caller.auth,
      device: caller.device,
      time: { hour: d.getHours(), weekday: d.getDay() === 0 ? 7 : d.getDay() },
      request: { bulk },
    };
    if (source) context.network = { source };
    if (extra.grant) context.grant = extra.grant;
    if (extra.breakGlass) context.breakGlass = true;
    const risk = o.riskScore?.(caller.user.id);
    if (risk !== undefined) context.risk = { score: Math.max(0, Math.min(100, Math.round(risk))) };
    return context;
  }

  async function decide(rt: TargetRuntime, caller: Caller, parsed: DicomwebRequest, source: string | undefined, rec?: RequestRecord): Promise<Decision> {
    const context = contextFor(caller, parsed, source, await grantFacts(rt, caller));
    if (!parsed.study) return policy.authorize(caller.principal, parsed.action, rt.entity, context);
    let facts: StudyFacts | null;
    if (parsed.action === 'dicomweb.store') {
      // A STOW names a study that may not exist yet: it will be the target's.
      facts = (await rt.studies.lookup([parsed.study]).catch(() => new Map<string, StudyFacts | null>())).get(parsed.study) ?? null;
    } else {
      facts = (await rt.studies.lookup([parsed.study])).get(parsed.study) ?? null;
    }
    if (rec && facts?.patientId) rec.patientId = facts.patientId;
    return policy.authorize(caller.principal, parsed.action, studyEntity(rt, parsed.study, facts), context, [rt.entity]);
  }

  function finish(rec: RequestRecord, status: number): void {
    const detail: Record<string, unknown> = {
      target: rec.target ?? null,
      method: rec.method,
      status,
      bytes: rec.bytesOut,
      bytesIn: rec.bytesIn,
      durationMs: clock() - rec.started,
      route: rec.route ?? null,
      action: rec.action ?? null,
      study: rec.study ?? null,
      patientId: rec.patientId ?? null,
      source: rec.source ?? null,
      series: rec.series ?? null,
      instance: rec.instance ?? null,
      reason: rec.reason ?? null,
      via: rec.via ?? null,
      serial: rec.serial ?? null,
      deviceId: rec.deviceId ?? null,
      sessionId: rec.sessionId ?? null,
      liveSession: rec.liveSession ?? null,
      decisionSeq: rec.decisionSeq ?? null,
      cut: rec.cut ?? null,
    };
    if (rec.filtered) detail.filtered = rec.filtered;
    // Repeats of one (session, study or route, action): a viewer's frames, a worklist's polling.
    const key = rec.outcome === 'success' && rec.sessionId && rec.action ? `${rec.sessionId}\0${rec.target}\0${rec.study ?? rec.route}\0${rec.action}` : null;
    coalescer.record({
      key,
      event: { type: 'gateway.http.request', actor: rec.userId ? `Radgate::User::${JSON.stringify(rec.userId)}` : 'anonymous', outcome: rec.outcome, detail },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec: RequestRecord = { started: clock(), method: req.method ?? '', outcome: 'error', bytesIn: 0, bytesOut: 0 };
    let audited = false;
    res.once('close', () => {
      if (audited) return;
      audited = true;
      if (!res.writableFinished && rec.outcome === 'success') rec.outcome = 'failure';
      finish(rec, res.statusCode);
    });
    const refuse = (p: GatewayProblem, outcome: RequestRecord['outcome'], headers?: Record<string, string>) => refuseRequest(req, res, rec, p, outcome, headers);

    const socket = req.socket as TLSSocket;
    const who = await callers.resolve(socket, req.headers.cookie);
    if (!who.ok) {
      if (who.id) Object.assign(rec, { userId: who.id.userId, serial: who.id.serial, deviceId: who.id.deviceId, sessionId: who.id.sessionId });
      // 403 for every missing or refused credential: there is no HTTP authentication scheme to offer (401 would need WWW-Authenticate).
      return refuse(gatewayProblem(403, who.reason, who.detail), 'deny');
    }
    const caller = who.caller;
    Object.assign(rec, { userId: caller.user.id, via: caller.via, sessionId: caller.session.id, serial: caller.id?.serial, deviceId: caller.id?.deviceId });

    const rt = targetFor(req.url ?? '');
    if (!rt) return refuse(gatewayProblem(404, 'outside-root', 'not a DICOMweb path'), 'deny');
    rec.target = rt.t.name;
    const parsed = parseDicomwebRequest({ method: req.method ?? '', rawUrl: req.url ?? '', root: rt.t.root, upstreamRoot: rt.t.upstreamRoot ?? rt.t.root, maxQidoLimit: limits.maxQidoLimit });
    if (!parsed.ok) return refuse(gatewayProblem(parsed.status, parsed.reason, parsed.message), 'deny', parsed.allow ? { allow: parsed.allow.join(', ') } : {});
    Object.assign(rec, { route: parsed.route, action: parsed.action, study: parsed.study, series: parsed.series, instance: parsed.instance });

    // Cookie-authenticated state changes need the Origin and the session's CSRF token.
    if (caller.via === 'cookie' && parsed.method === 'POST') {
      const csrf = verifyCsrf({
        session: caller.session,
        token: headerValue(req.headers['x-csrf-token']),
        origin: headerValue(req.headers.origin),
        referer: headerValue(req.headers.referer),
        expectedOrigins: [...(o.trustedOrigins ?? []), ownOrigin],
      });
      if (!csrf.ok) return refuse(gatewayProblem(403, csrf.reason, 'a cookie-authenticated store needs this site as Origin and the X-CSRF-Token of the sign-in session'), 'deny');
    }

    const source = normaliseAddress(socket.remoteAddress);
    rec.source = source;
    let decision: Decision;
    try {
      decision = await decide(rt, caller, parsed, source, rec);
    } catch (err) {
      logger?.warn({ err: String(err), target: rt.t.name }, 'study facts lookup failed');
      return refuse(gatewayProblem(502, 'pacs-lookup-failed', 'the PACS could not be asked about this study'), 'error');
    }
    if (decision.decision !== 'allow') {
      decision.durable.catch(() => undefined);
      return refuse(gatewayProblem(403, 'policy-denied', 'denied by policy', { reasons: decision.reasons }), 'deny');
    }
    await proxy(rt, caller, parsed, source, decision, req, res, rec);
  }

  async function proxy(rt: TargetRuntime, caller: Caller, parsed: DicomwebRequest, source: string | undefined, decision: Decision, req: IncomingMessage, res: ServerResponse, rec: RequestRecord): Promise<void> {
    const socket = req.socket as TLSSocket;
    const refuse = (p: GatewayProblem) => refuseRequest(req, res, rec, p, 'error');
    const extra: Record<string, string> = {};
    if (rt.t.identityHeaders && rt.loopback) {
      extra['x-radgate-user'] = caller.user.id;
      extra['x-radgate-session'] = caller.session.id;
      extra['x-radgate-device'] = caller.device.id;
    }
    // Allowed: start the upstream leg now, in parallel with the audit commit.
    // A study-level QIDO answer is filtered here, so it must come uncompressed.
    const willFilter = parsed.kind === 'qido' && !parsed.study && parsed.method === 'GET';
    let clientHeaders = willFilter ? { ...req.headers, 'accept-encoding': 'identity' } : req.headers;
    if (parsed.variant === 'rendered' || parsed.variant === 'thumbnail') clientHeaders = { ...clientHeaders, accept: renderedAccept(req.headers.accept) };
    // PACSes often refuse HEAD (Orthanc: 404); ask with GET and send only the head.
    const upstream = startUpstream({ agent: rt.agent, target: rt.t, method: parsed.method === 'HEAD' ? 'GET' : parsed.method, path: parsed.upstreamPath, clientHeaders, timeoutMs: upstreamTimeoutMs, extraHeaders: extra });
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
      deviceId: caller.id?.deviceId ?? null,
      serial: caller.id?.serial ?? null,
      loginSessionId: caller.session.id,
      grantId: caller.id?.grantId ?? null,
      target: parsed.study ? `${rt.t.name}/${parsed.study}` : rt.t.name,
      recheck: async () => {
        const again = await callers.resolve(socket, req.headers.cookie);
        if (!again.ok) return false;
        const d = await decide(rt, again.caller, parsed, source);
        d.durable.catch(() => undefined);
        return d.decision === 'allow';
      },
      close: cut,
    });
    live = reg.session;
    rec.liveSession = live.id;
    const stop = () => cut('gateway-closed');
    inFlight.add(stop);
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      reg.unregister();
      inFlight.delete(stop);
    });

    if (parsed.method === 'POST') {
      const countIn = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          rec.bytesIn += chunk.length;
          if (live) live.bytesIn += chunk.length;
          cb(null, chunk);
        },
      });
      // The body goes to the PACS only once the decision is on record.
      decision.durable.then(
        () => pipeline(req, countIn, upstream, () => undefined),
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
      if ((err as { audit?: boolean }).audit) return refuse(gatewayProblem(503, 'audit-unavailable', 'the decision could not be recorded'));
      const timedOut = /timeout/i.test(String((err as Error).message));
      return refuse(timedOut ? gatewayProblem(504, 'upstream-timeout', 'the PACS did not answer in time') : gatewayProblem(502, 'upstream-error', 'the PACS did not answer'));
    }
    if (res.destroyed) {
      upRes.destroy();
      return;
    }
    const status = upRes.statusCode ?? 502;
    if (status === 401 || status === 403 || status === 407) {
      upRes.resume();
      return refuse(gatewayProblem(502, 'upstream-auth', 'the PACS refused the gateway credentials'));
    }
    rec.outcome = 'success';
    const headers = clientResponseHeaders(upRes.headers);
    if (parsed.method === 'HEAD') {
      res.writeHead(status, headers);
      res.end();
      upRes.destroy();
      return;
    }
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        rec.bytesOut += chunk.length;
        if (live) live.bytesOut += chunk.length;
        cb(null, chunk);
      },
    });
    const filtering = willFilter && status === 200;
    if (filtering) {
      const encoding = String(upRes.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (!/json/i.test(String(upRes.headers['content-type'] ?? '')) || encoding !== 'identity') {
        // Nothing unfiltered leaves: an answer we cannot read per study is refused.
        upRes.resume();
        return refuse(gatewayProblem(502, 'qido-unfilterable', 'the PACS answered the query in a form the gateway cannot filter (only uncompressed DICOM JSON)'));
      }
      // The filtered body has another length; it goes out chunked.
      delete headers['content-length'];
      delete headers.etag;
      const context = contextFor(caller, { action: 'dicomweb.query', level: 'studies' }, source, await grantFacts(rt, caller).catch(() => ({})));
      const decideStudies: QidoFilterOptions['decide'] = async (items) => {
        const missing = items.filter((i) => i.facts.department === undefined).map((i) => i.uid);
        const looked = missing.length > 0 ? await rt.studies.lookup(missing) : new Map<string, StudyFacts | null>();
        return items.map(({ uid, facts }) => {
          if (facts.department !== undefined) rt.studies.remember(uid, facts);
          const f = facts.department !== undefined ? facts : (looked.get(uid) ?? facts);
          const d = policy.authorize(caller.principal, 'dicomweb.query', studyEntity(rt, uid, f), context, [rt.entity]);
          return { allow: d.decision === 'allow', durable: d.durable };
        });
      };
      const length = Number(upRes.headers['content-length']);
      if (Number.isInteger(length) && length <= SMALL_QIDO_BYTES) {
        // Small answers (the usual worklist page): read, filter, send in one write.
        readBounded(upRes, SMALL_QIDO_BYTES)
          .then((raw) => filterQidoBody(raw, { decide: decideStudies }))
          .then(
            (r) => {
              if (res.destroyed) return;
              rec.filtered = { passed: r.passed, withheld: r.withheld };
              rec.bytesOut += r.body.length;
              if (live) live.bytesOut += r.body.length;
              headers['content-length'] = r.body.length;
              res.writeHead(status, headers);
              res.end(r.body);
            },
            () => {
              upstream.destroy();
              refuse(gatewayProblem(502, 'qido-unfilterable', 'the PACS answered the query in a form the gateway cannot filter'));
            },
          );
        return;
      }
      const filter = createQidoFilter({ decide: decideStudies, onDone: (c) => void (rec.filtered = c) });
      res.writeHead(status, headers);
      pipeline(upRes, filter, count, res, (err) => {
        if (err) {
          if (rec.outcome === 'success') rec.outcome = 'failure';
          upstream.destroy();
          res.destroy();
        }
      });
      return;
    }
    res.writeHead(status, headers);
    // A listener beside the pipe counts bytes without another stream stage per chunk.
    upRes.on('data', (chunk: Buffer) => {
      rec.bytesOut += chunk.length;
      if (live) live.bytesOut += chunk.length;
    });
    pipeline(upRes, res, (err) => {
      if (err) {
        if (rec.outcome === 'success') rec.outcome = 'failure';
        upstream.destroy();
        res.destroy();
      }
    });
  }

  const creds = await ca.serverCredentials();
  const server: Server = createServer(
    {
      ...tlsServerOptions({ cert: creds.cert, key: creds.key, clientCa: ca.trustPem() }, 'request'),
      maxHeaderSize: limits.maxHeaderBytes ?? 16 * 1024,
      headersTimeout: limits.headersTimeoutMs ?? 10_000,
      requestTimeout: limits.requestTimeoutMs ?? 300_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
      connectionsCheckingInterval: 500,
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        logger?.error({ err: String(err) }, 'gateway request failed');
        sendProblem(res, gatewayProblem(500, 'internal', 'internal error'));
      });
    },
  );
  // Revocation and expiry are checked at the handshake as well as on every request.
  server.on('secureConnection', (socket: TLSSocket) => {
    const verdict = callers.acceptHandshake(socket);
    if (!verdict.ok) {
      logger?.info({ reason: verdict.reason }, 'gateway handshake refused');
      socket.destroy();
    }
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
  const host = o.listen.host === '127.0.0.1' || o.listen.host === '::1' ? 'localhost' : o.listen.host;
  ownOrigin = `https://${host}:${port}`;
  return {
    url: ownOrigin,
    port,
    targets: runtimes.map((r) => ({ name: r.t.name, root: r.t.root })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const stop of [...inFlight]) stop();
        coalescer.flush();
        callers.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const r of runtimes) r.agent.destroy();
      }),
  };
}

/** Answers with a problem and records why; refusals never read a request body, so the connection closes rather than drains it. */
function refuseRequest(req: IncomingMessage, res: ServerResponse, rec: RequestRecord, p: GatewayProblem, outcome: RequestRecord['outcome'], headers?: Record<string, string>): void {
  rec.outcome = outcome;
  rec.reason = p.reason ?? p.code;
  if (req.method !== 'GET' && req.method !== 'HEAD') res.shouldKeepAlive = false;
  sendProblem(res, p, headers);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
