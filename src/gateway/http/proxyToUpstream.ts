// The upstream leg of the DICOMweb gateway: one request to the PACS on a keep-alive
// agent, with the canonical target from the classifier and the broker's own credentials.
// Client headers pass by allow-list only (no cookies, no client Authorization, no
// hop-by-hop or forwarding headers); response headers lose hop-by-hop and cookies.
import { request, type Agent, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** End-to-end request headers a DICOMweb client may send to the PACS. */
const REQUEST_ALLOW = new Set([
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'range',
]);

/** RFC 9110 7.6.1 hop-by-hop headers, plus what must never come back from the PACS. */
const RESPONSE_DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'www-authenticate',
  'server',
  'x-powered-by',
]);

export interface UpstreamTarget {
  /** `http://host:port` of the PACS. */
  upstream: string;
  /** Full `Authorization` header value the broker presents to the PACS. */
  authorization: string;
}

export function upstreamRequestHeaders(client: IncomingHttpHeaders, target: UpstreamTarget): OutgoingHttpHeaders {
  const named = new Set(
    String(client.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(client)) {
    if (v === undefined || !REQUEST_ALLOW.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  out.authorization = target.authorization;
  out.host = new URL(target.upstream).host;
  return out;
}

export function clientResponseHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(upstream.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(upstream)) {
    if (v === undefined || RESPONSE_DROP.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  out['x-content-type-options'] = 'nosniff';
  return out;
}

export interface StartUpstreamOptions {
  agent: Agent;
  target: UpstreamTarget;
  method: string;
  /** Origin-form path from `parseDicomwebRequest` (never the client's raw URL). */
  path: string;
  clientHeaders: IncomingHttpHeaders;
  /** Idle socket timeout towards the PACS, ms. */
  timeoutMs: number;
  /** Headers the gateway adds (identity headers for trusted loopback upstreams). */
  extraHeaders?: Record<string, string>;
}

/** Starts the upstream request at once (connect + headers); the caller ends or pipes it. */
export function startUpstream(o: StartUpstreamOptions): ClientRequest {
  const base = new URL(o.target.upstream);
  const req = request({
    protocol: base.protocol,
    hostname: base.hostname,
    port: base.port,
    method: o.method,
    path: o.path,
    agent: o.agent,
    headers: { ...upstreamRequestHeaders(o.clientHeaders, o.target), ...o.extraHeaders },
    timeout: o.timeoutMs,
  });
  req.on('timeout', () => req.destroy(new Error('upstream timeout')));
  return req;
}
