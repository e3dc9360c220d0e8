// A fetch over node:http/https that can trust a private CA (e.g. radgate's own, for the
// embedded dev IdP on the control plane, or a hospital's enterprise CA for its IdP).
// Redirects are returned, never followed; response bodies are capped.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { OidcFetch } from './types.js';

export interface NodeFetchOptions {
  /** PEM CA certificate(s) to trust in addition to Node's bundled root CAs. */
  ca?: string | string[];
  /** Default 1 MiB. */
  maxResponseBytes?: number;
}

export function createNodeFetch(options: NodeFetchOptions = {}): OidcFetch {
  const limit = options.maxResponseBytes ?? 1024 * 1024;
  // Adding a private CA must not stop public IdPs (Entra, Okta, …) from verifying.
  const ca = options.ca ? [...rootCertificates, ...(Array.isArray(options.ca) ? options.ca : [options.ca])] : undefined;
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
      if (!send) return reject(new TypeError(`unsupported protocol ${target.protocol}`));
      let body: Buffer | undefined;
      try {
        body = toBuffer(init.body);
      } catch (err) {
        return reject(err);
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      if (body) headers['content-length'] = String(body.length);
      const req = send(
        target,
        { method: init.method ?? 'GET', headers, ...(ca ? { ca } : {}), ...(init.signal ? { signal: init.signal } : {}) },
        (res) => collect(res, limit).then(resolve, reject),
      );
      req.on('error', reject);
      req.end(body);
    });
}

function collect(res: IncomingMessage, limit: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.destroy();
        reject(new TypeError(`response larger than ${limit} bytes`));
      } else chunks.push(c);
    });
    res.on('error', reject);
    res.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (Array.isArray(v)) for (const x of v) headers.append(k, x);
        else if (v !== undefined) headers.set(k, v);
      }
      const status = res.statusCode ?? 502;
      const nullBody = status === 204 || status === 205 || status === 304;
      resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers }));
    });
  });
}

function toBuffer(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  throw new TypeError('unsupported request body type');
}
