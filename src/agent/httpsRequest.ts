// JSON over HTTPS to the broker with node:https, verifying the broker's certificate
// against the pinned radgate root only (the `ca` option replaces the system roots).
import { request } from 'node:https';
import { AgentError } from './AgentError.js';

export interface HttpsRequest {
  url: URL;
  method: 'GET' | 'POST';
  /** PEM trust anchors: the broker's root CA. */
  ca: string;
  bearer?: string;
  /** Sent as application/json. */
  json?: Record<string, unknown>;
  timeoutMs?: number;
}

export interface HttpsResponse {
  status: number;
  /** Parsed JSON body, undefined when empty or not JSON. */
  body: unknown;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export function httpsRequest(r: HttpsRequest): Promise<HttpsResponse> {
  const payload = r.json === undefined ? undefined : Buffer.from(JSON.stringify(r.json));
  return new Promise((resolve, reject) => {
    const req = request(r.url, {
      method: r.method,
      ca: r.ca,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      agent: false,
      timeout: r.timeoutMs ?? 30_000,
      headers: {
        Accept: 'application/json',
        ...(r.bearer ? { Authorization: `Bearer ${r.bearer}` } : {}),
        ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
      },
    });
    req.on('timeout', () => req.destroy(new AgentError('network', `${r.url.origin} did not answer in time`)));
    req.on('error', (err) => reject(networkError(r.url, err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy();
          reject(new AgentError('protocol', `${r.url.origin} sent an oversized response`));
        } else chunks.push(c);
      });
      res.on('error', (err) => reject(networkError(r.url, err)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        if (text.length > 0 && /json/i.test(res.headers['content-type'] ?? '')) {
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.end(payload);
  });
}

/** Certificate failures are named: they are what a man in the middle looks like. */
function networkError(url: URL, err: Error): AgentError {
  if (err instanceof AgentError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return new AgentError('untrusted-server', `${url.origin} presented a certificate that does not chain to the pinned radgate root (${code}); if the broker's CA changed, log in again with --ca or --ca-fingerprint`, { cause: err });
  }
  return new AgentError('network', `cannot reach ${url.origin}: ${err.message}`, { cause: err });
}

/** The OAuth error of a token response, when it is one. */
export function oauthError(body: unknown): { error: string; description: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.error !== 'string') return undefined;
  return { error: b.error, description: typeof b.error_description === 'string' ? b.error_description : b.error };
}

/** A problem+json or OAuth body → one line for the user. */
export function describeFailure(res: HttpsResponse): string {
  const b = res.body as Record<string, unknown> | undefined;
  const text = b && (typeof b.detail === 'string' ? b.detail : typeof b.error_description === 'string' ? b.error_description : typeof b.title === 'string' ? b.title : undefined);
  return `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}
