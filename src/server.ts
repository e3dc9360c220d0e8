// Wires config, store, audit, CA and policy into one broker process and starts the
// control-plane HTTPS listener. Everything here is composition; logic lives in modules.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { analyticsRoutes, startMonitoring, type Analytics, type Monitoring } from './analytics/index.js';
import { openAuditLog, type OpenedAuditLog } from './audit/index.js';
import { crlResponse, openCa, type Ca } from './ca/index.js';
import { createDevices, wireRevocation, type Devices } from './devices/index.js';
import { createAccess, type Access } from './access/index.js';
import { createTunnelGateway, recordingPath, type TunnelGateway } from './gateway/tunnel/index.js';
import { createDicomGateway, type DicomGateway } from './gateway/dicom/index.js';
import { createHttpGateway, httpGatewayOptions, type HttpGateway, type HttpGatewayTarget } from './gateway/http/index.js';
import { createSessionRegistry, type SessionRegistry } from './gateway/sessions/index.js';
import { createIdentity, problemPage, type Identity } from './identity/index.js';
import type { Config } from './config/index.js';
import { RadgateError } from './errors/index.js';
import { createInProcessBus, type EventBus } from './events/index.js';
import { accessLog, notFound, onError, requestId, tlsServerOptions, type AppEnv } from './http/index.js';
import { createLogger, type Logger } from './log/index.js';
import { createNotifier, type Notifier } from './notify/index.js';
import { createFactsRecorder, createPolicyEngine, createPolicyVersions, type PolicyEngine, type PolicyVersions } from './policy/index.js';
import { createAdmin, type Admin } from './admin/index.js';
import { createMetrics } from './metrics/index.js';
import { openStore, type Store } from './store/index.js';

export interface Broker {
  readonly config: Config;
  readonly store: Store;
  readonly bus: EventBus;
  readonly audit: OpenedAuditLog;
  readonly ca: Ca;
  readonly policy: PolicyEngine;
  readonly identity: Identity;
  readonly devices: Devices;
  /** Vendor access: targets, requests, approvals, grants, break-glass. */
  readonly access: Access;
  /** The vendor tunnel gateway, when gateways.tunnel.enabled. */
  readonly tunnelGateway: TunnelGateway | undefined;
  /** Every gateway's open connections; cut on revocation, logout, posture, grant and policy events. */
  readonly liveSessions: SessionRegistry;
  /** The DICOMweb gateway, when gateways.http is enabled with targets. */
  readonly httpGateway: HttpGateway | undefined;
  /** The DIMSE (DICOM TLS) gateway, when gateways.dicom.enabled. */
  readonly dicomGateway?: DicomGateway;
  /** Signed webhook notifications (disabled unless webhook.url is set). */
  readonly notifier: Notifier;
  /** Behavioural analytics (monitoring.analytics.enabled): alerts and riskScore(userId) for context.risk. */
  readonly analytics: Analytics | undefined;
  /** Audit exporters (monitoring.atna.enabled, monitoring.fhir.enabled). */
  readonly exporters: Monitoring['exporters'];
  /** Prometheus metrics and their /metrics listener (monitoring.metrics.enabled). */
  readonly metrics: Monitoring['metrics'];
  /** Policy versions: proposals, two-person activation, rollback, diff and impact. */
  readonly policyVersions: PolicyVersions;
  /** The admin console (/console) and admin JSON API (/admin/api). */
  readonly admin: Admin;
  readonly logger: Logger;
  /** https://host:port of the control plane. */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** DICOMweb targets known only at run time (the demo's Orthanc), added to the configured ones. */
  extraHttpTargets?: readonly HttpGatewayTarget[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Refuses development shortcuts where they would be dangerous (STYLE 7). */
export function checkStartupSafety(config: Config, logger: Logger): void {
  if (config.dev.idp.enabled) {
    if (config.mode === 'production') throw new RadgateError('config-invalid', 'config: dev.idp.enabled: the development IdP is refused in production mode');
    if (!LOOPBACK.has(config.listen.control.host)) {
      throw new RadgateError('config-invalid', `config: dev.idp.enabled: the development IdP needs a loopback control plane, got listen.control.host "${config.listen.control.host}"`);
    }
    logger.warn('DEVELOPMENT IdP ENABLED: demo users can sign in without real credentials');
  }
  if (config.mode === 'development') logger.warn('running in development mode');
}

export async function startBroker(config: Config, options: StartOptions = {}): Promise<Broker> {
  const logger = options.logger ?? createLogger({ level: config.log.level });
  checkStartupSafety(config, logger);

  const store = await openStore({ location: config.paths.store, busyTimeoutMs: config.store.busyTimeoutMs });
  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const bus = createInProcessBus((err, event) => logger.error({ err: String(err), event: event.type }, 'event handler failed'));
    const audit = await openAuditLog({
      store,
      home: config.paths.home,
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalSeconds: config.audit.checkpointInterval,
      onError: (err) => logger.error({ code: err.code, detail: err.detail }, err.message),
    });
    closers.push(() => audit.close());
    const ca = await openCa({ config, store, bus, audit, logger });
    // Decision facts are kept beside the chain for impact replays of proposed policy sets.
    const decisionFacts = createFactsRecorder({
      repo: store.decisionFacts,
      auditSearch: store.auditSearch,
      retentionSeconds: Math.max(config.admin.decisionFactsRetention, config.admin.impactWindowDays * 86_400),
      onError: (err) => logger.warn({ err: String(err) }, 'decision facts not recorded'),
    });
    closers.push(() => decisionFacts.close());
    // Built before the engine: decisions are observed on the decision path itself.
    const metrics = config.monitoring.metrics.enabled ? createMetrics() : undefined;
    const policy = createPolicyEngine({
      audit: decisionFacts.wrap(audit),
      cacheTtlSeconds: config.policy.cacheTtl,
      cacheMaxEntries: config.policy.cacheMaxEntries,
      auditCoalesceMs: config.policy.auditCoalesce * 1000,
      bus,
      ...(metrics ? { observer: metrics.observeDecision } : {}),
    });
    closers.push(() => policy.close());
    const notifier = createNotifier({ url: config.webhook.url, secret: config.webhook.secret, timeoutSeconds: config.webhook.timeout, attempts: config.webhook.attempts, logger });
    // The active set lives in the database (seeded from policy.dir on first start).
    const policyVersions = createPolicyVersions({
      store,
      engine: policy,
      audit,
      bus,
      notifier,
      policyDir: config.paths.policyDir,
      emergencyRollback: config.admin.emergencyRollback,
      impactWindowDays: config.admin.impactWindowDays,
    });
    await policyVersions.bootstrap();

    const identity = await createIdentity({ config, store, audit, bus, logger, selfTrustPem: ca.rootPem() });
    closers.push(() => identity.close());
    const liveSessions = createSessionRegistry({ bus, audit });
    closers.push(() => liveSessions.close());
    const access = await createAccess({ config, store, users: identity.sessions, audit, bus, policy, ca, notifier, onError: (err) => logger.error({ err: String(err) }, 'grant scheduler failed') });
    closers.push(() => access.close());
    const devices = createDevices({ config, store, audit, bus, policy, ca, grants: access.grants });
    closers.push(wireRevocation({ bus, ca, store }));
    const monitoring = await startMonitoring({ config, store, audit, notifier, logger, liveSessions, ...(metrics ? { metrics } : {}) });
    closers.push(() => monitoring.close());
    let httpGateway: HttpGateway | undefined;
    const admin = createAdmin({ config, store, audit, bus, policy, policyVersions, identity, devices, access: access.deps, liveSessions, auditPublicKey: audit.publicKey });
    const app = controlApp({ store, policy, ca, logger, identity, featureRoutes: [...(monitoring.analytics ? [analyticsRoutes(monitoring.analytics) as unknown as Hono<AppEnv>] : []), devices.routes() as unknown as Hono<AppEnv>, access.routes() as unknown as Hono<AppEnv>, access.pageRoutes() as unknown as Hono<AppEnv>, admin.routes() as unknown as Hono<AppEnv>], gateways: () => ({ http: httpGateway ? { url: httpGateway.url, targets: httpGateway.targets } : null }) });
    const creds = await ca.serverCredentials();
    const server = await listen(app, config, creds);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const httpTargets = [...config.gateways.http.targets, ...(options.extraHttpTargets ?? [])];
    if ((config.gateways.http.enabled || options.extraHttpTargets?.length) && httpTargets.length > 0) {
      const analytics = monitoring.analytics;
      const gw = await createHttpGateway({
        ...httpGatewayOptions(config, { ca, policy, identity, devices, liveSessions, audit, bus, logger }, options.extraHttpTargets),
        ...(analytics ? { riskScore: (userId: string) => analytics.riskScore(userId) } : {}),
        grants: access,
      });
      httpGateway = gw;
      closers.push(() => gw.close());
      logger.info({ url: gw.url, targets: gw.targets.map((t) => t.name) }, 'DICOMweb gateway listening');
    } else if (config.gateways.http.enabled) {
      logger.warn('gateways.http.enabled is true but no targets are configured: the DICOMweb gateway is not started');
    }
    let tunnelGateway: TunnelGateway | undefined;
    if (config.gateways.tunnel.enabled) {
      const t = config.gateways.tunnel;
      const tg = await createTunnelGateway({
        broker: { ca, policy, identity, devices, liveSessions, audit, access, logger },
        listen: t.listen,
        publicHost: t.publicHost,
        recordingDir: recordingPath(config.paths.home, t.recordingDir),
        prefaceTimeoutMs: t.prefaceTimeout * 1000,
        upstreamConnectTimeoutMs: t.upstreamConnectTimeout * 1000,
      });
      tunnelGateway = tg;
      access.setTunnelGateway({ host: tg.host, port: tg.port });
      closers.push(() => tg.close());
      logger.info({ host: tg.host, port: tg.port }, 'tunnel gateway listening');
    }
    let dicomGateway: DicomGateway | undefined;
    if (config.gateways.dicom.enabled) {
      const analyticsForDicom = monitoring.analytics;
      const dg = await createDicomGateway({ broker: { ca, policy, identity, devices, liveSessions, audit, store, bus, logger, grants: access, ...(analyticsForDicom ? { riskScore: (u: string) => analyticsForDicom.riskScore(u) } : {}) }, config: config.gateways.dicom });
      dicomGateway = dg;
      closers.push(() => dg.close());
      logger.info({ host: dg.host, port: dg.port, calledAeTitles: [...dg.calledAeTitles.keys()] }, 'DICOM (DIMSE) gateway listening');
    }
    const addr = server.address() as AddressInfo;
    const url = `https://${config.listen.control.host === '127.0.0.1' ? 'localhost' : config.listen.control.host}:${addr.port}`;
    await audit.append({ type: 'system.start', actor: 'system', outcome: 'success', detail: { url, mode: config.mode, policyVersion: policy.health().version } });
    logger.info({ url, policyVersion: policy.health().version }, 'radgate control plane listening');
    return { config, store, bus, audit, ca, policy, identity, devices, access, tunnelGateway, liveSessions, httpGateway, dicomGateway, notifier, policyVersions, admin, analytics: monitoring.analytics, exporters: monitoring.exporters, metrics: monitoring.metrics, logger, url, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

interface AppDeps {
  store: Store;
  policy: PolicyEngine;
  ca: Ca;
  logger: Logger;
  identity?: Identity;
  /** Feature modules' routers (devices, access, admin), mounted behind the session middleware. */
  featureRoutes?: Hono<AppEnv>[];
  /** Where the data-plane gateways listen (for agents: `radgate proxy`, `radgate tunnel`). */
  gateways?: () => Record<string, unknown>;
}

export function controlApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(accessLog(deps.logger));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    try {
      await deps.store.ping();
      checks.store = 'ok';
    } catch {
      checks.store = 'unavailable';
    }
    checks.policy = deps.policy.ready() ? 'ok' : 'unavailable';
    const ok = Object.values(checks).every((v) => v === 'ok');
    return c.json({ status: ok ? 'ready' : 'not-ready', checks }, ok ? 200 : 503);
  });
  app.get('/ca/crl', async (c) => {
    const r = await crlResponse(deps.ca);
    return c.body(new Uint8Array(r.body), r.status, r.headers);
  });
  app.get('/api/v1/gateways', (c) => c.json(deps.gateways?.() ?? {}));
  app.get('/ca/root.pem', (c) => c.body(deps.ca.rootPem(), 200, { 'Content-Type': 'application/x-pem-file' }));
  if (deps.identity) {
    // Assets and the dev IdP need no session; everything after runs behind session + CSRF.
    app.route('/', deps.identity.publicRoutes() as unknown as Hono<AppEnv>);
    for (const mw of deps.identity.middleware()) app.use(mw as unknown as MiddlewareHandler<AppEnv>);
    app.route('/', deps.identity.routes() as unknown as Hono<AppEnv>);
    for (const r of deps.featureRoutes ?? []) app.route('/', r);
  }
  app.onError(onError(deps.logger, problemPage));
  app.notFound(notFound);
  return app;
}

function listen(app: Hono<AppEnv>, config: Config, creds: { cert: string; key: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        createServer,
        serverOptions: tlsServerOptions(creds),
        hostname: config.listen.control.host,
        port: config.listen.control.port,
      },
      () => resolve(server as Server),
    ) as Server;
    server.once('error', (err) => reject(new RadgateError('internal', `cannot listen on ${config.listen.control.host}:${config.listen.control.port}`, { cause: err, detail: err.message })));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
  });
}
