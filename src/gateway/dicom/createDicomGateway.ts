// The DIMSE gateway listener: DICOM over TLS 1.2+ (PS3.15 B.9, BCP 195) with client
// certificates from radgate's CA, one runAssociation per connection, and the PACS
// reached under the gateway's own AE by plain DICOM on loopback or by DICOM TLS.
// There is no plain-TCP listener: legacy modalities use the agent's loopback tunnel.
import type { DecisionContext } from '../../policy/index.js';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AuditLog } from '../../audit/index.js';
import type { Ca } from '../../ca/index.js';
import type { Config } from '../../config/index.js';
import type { Devices } from '../../devices/index.js';
import type { EventBus } from '../../events/index.js';
import { tlsServerOptions } from '../../http/index.js';
import type { Identity } from '../../identity/index.js';
import type { Logger } from '../../log/index.js';
import type { EntityDescription, PolicyEngine } from '../../policy/index.js';
import type { Store } from '../../store/index.js';
import type { SessionRegistry } from '../sessions/index.js';
import type { AssociationDeps, UpstreamTarget } from './associationDeps.js';
import { MAX_COMMAND_LENGTH } from './commandSet.js';
import { createDicomCallers } from './createDicomCallers.js';
import { auditAppender } from './dicomAudit.js';
import { runAssociation } from './runAssociation.js';

/** The parsed `gateways.dicom` section. */
export type DicomGatewayConfig = Config['gateways']['dicom'];

export interface DicomGatewayOptions {
  /** The broker's parts the gateway uses (server.ts wires them; imports point downwards). */
  broker: {
    ca: Ca;
    policy: PolicyEngine;
    identity: Identity;
    devices: Devices;
    liveSessions: SessionRegistry;
    audit: Pick<AuditLog, 'append'>;
    store: { devices: Pick<Store['devices'], 'getServicePrincipal'> };
    bus?: Pick<EventBus, 'on'>;
    logger?: Logger;
    /** The access module's grant lookup (vendors and grant-bound certificates get context.grant). */
    grants?: { grantFor(userId: string, target: string, certificateGrantId: string | undefined, now: number): Promise<{ row: { breakGlass: boolean }; context: NonNullable<DecisionContext['grant']> } | undefined> };
    /** Analytics risk score (0-100) for context.risk. */
    riskScore?: (userId: string) => number | undefined;
  };
  /** The parsed `gateways.dicom` section (its `enabled` flag is the caller's business). */
  config: DicomGatewayConfig;
  clock?: () => number;
}

export interface DicomGateway {
  readonly host: string;
  readonly port: number;
  /** Called AE titles served, with their policy target. */
  readonly calledAeTitles: ReadonlyMap<string, string>;
  /** Open associations. */
  readonly associations: number;
  close(): Promise<void>;
}

export async function createDicomGateway(o: DicomGatewayOptions): Promise<DicomGateway> {
  const { ca, policy, identity, devices, liveSessions, audit, store, bus, logger } = o.broker;
  const cfg = o.config;
  const clock = o.clock ?? Date.now;
  const creds = await ca.serverCredentials();
  const callers = createDicomCallers({ ca, identity, devices, store, ...(bus ? { bus } : {}), userAeTitles: cfg.userAeTitles, clock });

  type Upstream = UpstreamTarget & { tls: DicomGatewayConfig['upstreams'][string]['tls']; ca?: Buffer };
  const upstreams = new Map<string, Upstream>();
  for (const [calledAe, u] of Object.entries(cfg.upstreams)) {
    const attrs: Record<string, string> = { kind: 'pacs-dimse', department: u.department };
    if (u.site) attrs.site = u.site;
    if (u.risk) attrs.risk = u.risk;
    const entity: EntityDescription = Object.freeze({ uid: Object.freeze({ type: 'Radgate::Target', id: u.name }), attrs: Object.freeze(attrs) });
    upstreams.set(calledAe, {
      name: u.name,
      host: u.host,
      port: u.port,
      aeTitle: u.aeTitle,
      callingAe: u.callingAe ?? cfg.aeTitle,
      department: u.department,
      entity,
      tls: u.tls,
      ...(u.tls.enabled && u.tls.caFile ? { ca: readFileSync(u.tls.caFile) } : {}),
    });
  }

  const connectUpstream = (t: UpstreamTarget): Promise<Socket> => {
    const u = t as Upstream;
    const timeoutMs = cfg.limits.artim * 1000;
    return new Promise<Socket>((resolve, reject) => {
      const s: Socket = u.tls.enabled
        ? tlsConnect({ host: u.host, port: u.port, ca: u.ca, cert: creds.cert, key: creds.key, servername: u.tls.servername ?? u.host, minVersion: 'TLSv1.2' })
        : netConnect({ host: u.host, port: u.port });
      const timer = setTimeout(() => s.destroy(new Error('upstream connect timeout')), timeoutMs);
      s.once(u.tls.enabled ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        s.on('error', () => undefined); // surfaced as an ended stream in the association
        s.setNoDelay(true);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  };

  let open = 0;
  const sockets = new Set<TLSSocket>();
  const { grants, riskScore } = o.broker;
  const deps: AssociationDeps = {
    extras: async (caller, target) => {
      const out: Pick<DecisionContext, 'grant' | 'breakGlass' | 'risk'> = {};
      const risk = caller.kind === 'user' ? riskScore?.(caller.userId) : undefined;
      if (risk !== undefined) out.risk = { score: Math.max(0, Math.min(100, Math.round(risk))) };
      const vendor = caller.principal.attrs?.kind === 'vendor';
      if (grants && caller.kind === 'user' && (vendor || caller.grantId)) {
        const g = await grants.grantFor(caller.userId, target, caller.grantId ?? undefined, clock());
        if (g) {
          out.grant = g.context;
          if (g.row.breakGlass && g.context.active) out.breakGlass = true;
        }
      }
      return out;
    },
    clock,
    policy,
    liveSessions,
    callers,
    upstreams,
    connectUpstream,
    audit: auditAppender(audit, logger),
    maxPduLength: cfg.maxPduLength,
    limits: {
      maxAssociateLength: cfg.limits.maxAssociateLength,
      maxIdentifierLength: cfg.limits.maxIdentifierLength,
      maxCommandLength: MAX_COMMAND_LENGTH,
      artimMs: cfg.limits.artim * 1000,
      idleTimeoutMs: cfg.limits.idleTimeout * 1000,
      maxDenials: cfg.limits.maxDenials,
      recheckIntervalMs: Math.max(1000, cfg.limits.recheckInterval * 1000),
    },
    admit: () => {
      if (open >= cfg.limits.maxAssociations) return false;
      open++;
      return true;
    },
    release: () => {
      open--;
    },
  };

  const server: Server = createServer(tlsServerOptions({ cert: creds.cert, key: creds.key, clientCa: ca.trustPem() }, 'require'), (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // resets end the association's read loop
    runAssociation(deps, socket);
  });
  // Handshakes that fail (no certificate, foreign CA, not TLS at all) never reach DICOM.
  server.on('tlsClientError', (err) => logger?.debug({ err: err.message }, 'dicom gateway TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listen.port, cfg.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: cfg.listen.host,
    port,
    calledAeTitles: new Map([...upstreams.entries()].map(([ae, u]) => [ae, u.name])),
    get associations() {
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        callers.close();
      }),
  };
}
