// Composes the access module from the broker's parts: config targets synced into the
// store, the grant scheduler started, routes and the devices' grant lookup handed out.
import type { Config } from '../config/index.js';
import type { GrantLookup } from '../devices/index.js';
import type { AccessDeps } from './accessDeps.js';
import { createGrantScheduler, type GrantScheduler } from './grantScheduler.js';
import { grantContext } from './accessRules.js';
import { grantLookup } from './grants.js';
import { accessPageRoutes } from './pageRoutes.js';
import { accessApiRoutes, type TunnelGatewayInfo } from './routes.js';
import { syncConfigTargets } from './targets.js';
import type { DecisionContext } from '../policy/index.js';
import type { GrantRow, TargetRow } from '../store/index.js';

export interface CreateAccessOptions extends Omit<AccessDeps, 'access' | 'stepUpMaxAgeSeconds' | 'publicUrl' | 'clock' | 'onGrantChange'> {
  config: Config;
  clock?: () => number;
  /** How often the scheduler sweeps for missed expiries; default 30 s. */
  sweepIntervalMs?: number;
  onError?: (err: unknown) => void;
}

export interface Access {
  readonly deps: AccessDeps;
  readonly scheduler: GrantScheduler;
  /** The devices module's hook (certificate TTL ≤ grant end). */
  readonly grants: GrantLookup;
  routes(): ReturnType<typeof accessApiRoutes>;
  pageRoutes(): ReturnType<typeof accessPageRoutes>;
  /** Where agents reach the tunnel gateway (set by the broker when it starts one). */
  setTunnelGateway(info: TunnelGatewayInfo | undefined): void;
  /** For gateways: a live target by name. */
  target(name: string): Promise<TargetRow | undefined>;
  /** For gateways: the grant a connection rides on and its `context.grant`; the certificate's grant when it names one. */
  grantFor(userId: string, target: string, certificateGrantId: string | undefined, now: number): Promise<{ row: GrantRow; context: NonNullable<DecisionContext['grant']> } | undefined>;
  close(): void;
}

export async function createAccess(o: CreateAccessOptions): Promise<Access> {
  const clock = o.clock ?? Date.now;
  const scheduler = createGrantScheduler({ ...o, access: o.config.access, clock, sweepIntervalMs: o.sweepIntervalMs, onError: o.onError });
  const deps: AccessDeps = {
    access: o.config.access,
    stepUpMaxAgeSeconds: o.config.identity.stepUpMaxAge,
    publicUrl: o.config.publicUrl,
    store: o.store,
    users: o.users,
    audit: o.audit,
    bus: o.bus,
    policy: o.policy,
    ca: o.ca,
    notifier: o.notifier,
    clock,
    onGrantChange: (id) => scheduler.track(id),
  };
  await syncConfigTargets(deps, o.config.access.targets, clock());
  await scheduler.start();
  let tunnel: TunnelGatewayInfo | undefined;
  return {
    deps,
    scheduler,
    grants: grantLookup(deps),
    routes: () => accessApiRoutes(deps, () => tunnel),
    pageRoutes: () => accessPageRoutes(deps),
    setTunnelGateway: (info) => void (tunnel = info),
    target: (name) => deps.store.access.getTarget(name),
    async grantFor(userId, target, certificateGrantId, now) {
      const row = certificateGrantId !== undefined ? await deps.store.access.getGrant(certificateGrantId) : await deps.store.access.activeGrantFor(userId, target, now);
      if (!row || row.userId !== userId || row.target !== target) return undefined;
      return { row, context: grantContext(row, now) };
    },
    close: () => scheduler.close(),
  };
}
