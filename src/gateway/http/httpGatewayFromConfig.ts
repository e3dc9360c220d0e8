// Maps the `gateways.http` config section to the gateway's options (server.ts starts it).
import type { Config } from '../../config/index.js';
import type { HttpGatewayOptions, HttpGatewayTarget } from './createHttpGateway.js';

export function httpGatewayTargets(config: Config): HttpGatewayTarget[] {
  return config.gateways.http.targets.map((t) => {
    const target: HttpGatewayTarget = {
      name: t.name,
      upstream: t.upstream,
      root: t.root,
      upstreamRoot: t.upstreamRoot,
      authorization: t.username !== undefined && t.password !== undefined ? `Basic ${Buffer.from(`${t.username}:${t.password}`, 'utf8').toString('base64')}` : '',
      department: t.department,
      identityHeaders: t.identityHeaders,
      studyDepartmentFallback: t.studyDepartmentFallback,
    };
    if (t.site) target.site = t.site;
    if (t.risk) target.risk = t.risk;
    return target;
  });
}

export function httpGatewayOptions(config: Config, broker: HttpGatewayOptions['broker'], extraTargets: readonly HttpGatewayTarget[] = []): HttpGatewayOptions {
  const g = config.gateways.http;
  return {
    broker,
    listen: { host: g.listen.host, port: g.listen.port },
    targets: [...httpGatewayTargets(config), ...extraTargets],
    limits: {
      maxQidoLimit: g.maxQidoLimit,
      upstreamTimeoutMs: g.upstreamTimeout * 1000,
      headersTimeoutMs: g.headersTimeout * 1000,
      requestTimeoutMs: g.requestTimeout * 1000,
      keepAliveTimeoutMs: g.keepAliveTimeout * 1000,
      maxHeaderBytes: g.maxHeaderBytes,
    },
    trustedOrigins: [config.publicUrl, ...g.trustedOrigins].map((u) => new URL(u).origin),
    auditCoalesceMs: g.auditCoalesce * 1000,
    studyCacheTtlMs: g.studyCacheTtl * 1000,
  };
}
