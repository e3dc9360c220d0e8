// GET /ca/crl without Hono: the route copies status, headers and body.
import type { Ca } from './openCa.js';

export interface CrlResponse {
  status: 200;
  headers: Record<string, string>;
  body: Buffer;
}

/** RFC 2585 4: a DER CRL is served as application/pkix-crl. */
export async function crlResponse(ca: Pick<Ca, 'crlDer'>): Promise<CrlResponse> {
  const body = await ca.crlDer();
  return {
    status: 200,
    headers: { 'content-type': 'application/pkix-crl', 'content-length': String(body.length), 'cache-control': 'public, max-age=60' },
    body,
  };
}
