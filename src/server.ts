// Wires config, store, audit, CA and policy into one broker process and starts the
// control-plane HTTPS listener. Everything here is composition; logic lives in modules.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { openAuditLog, type OpenedAuditLog } from './audit/index.js';
import { crlResponse, openCa, type Ca } from './ca/index.js';
import { createDevices, wireRevocation, type Devices } from './devices/index.js';
import { createSessionRegistry, type SessionRegistry } from './gateway/sessions/index.js';
import { createIdentity, problemPage, type Identity } from './identity/index.js';
import type { Config } from './config/index.js';
import { RadgateError } from './errors/index.js';
import { createInProcessBus, type EventBus } from './events/index.js';
import { accessLog, notFound, onError, requestId, tlsServerOptions, type AppEnv } from './http/index.js';
import { createLogger, type Logger } from './log/index.js';
import { createNotifier, type Notifier } from './notify/index.js';
import { createPolicyEngine, loadPolicySet, type PolicyEngine } from './policy/index.js';
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
  /** Every gateway's open connections; cut on revocation, logout, posture, grant and policy events. */
  readonly liveSessions: SessionRegistry;
  /** Signed webhook notifications (disabled unless webhook.url is set). */
  readonly notifier: Notifier;
  readonly logger: Logger;
  /** https://host:port of the control plane. */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
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
    const policy = createPolicyEngine({
      audit,
      cacheTtlSeconds: config.policy.cacheTtl,
      cacheMaxEntries: config.policy.cacheMaxEntries,
      bus,
    });
    closers.push(() => policy.close());
    policy.activate(await loadPolicySet(config.paths.policyDir));

    const identity = await createIdentity({ config, store, audit, bus, logger, selfTrustPem: ca.rootPem() });
    closers.push(() => identity.close());
    const notifier = createNotifier({ url: config.webhook.url, secret: config.webhook.secret, timeoutSeconds: config.webhook.timeout, attempts: config.webhook.attempts, logger });
    const liveSessions = createSessionRegistry({ bus, audit });
    closers.push(() => liveSessions.close());
    const devices = createDevices({ config, store, audit, bus, policy, ca });
    closers.push(wireRevocation({ bus, ca, store }));
    const app = controlApp({ store, policy, ca, logger, identity, featureRoutes: [devices.routes() as unknown as Hono<AppEnv>] });
    const creds = await ca.serverCredentials();
    const server = await listen(app, config, creds);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const addr = server.address() as AddressInfo;
    const url = `https://${config.listen.control.host === '127.0.0.1' ? 'localhost' : config.listen.control.host}:${addr.port}`;
    await audit.append({ type: 'system.start', actor: 'system', outcome: 'success', detail: { url, mode: config.mode, policyVersion: policy.health().version } });
    logger.info({ url, policyVersion: policy.health().version }, 'radgate control plane listening');
    return { config, store, bus, audit, ca, policy, identity, devices, liveSessions, notifier, logger, url, close: closeAll };
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
