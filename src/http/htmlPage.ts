// Server-rendered pages of every control-plane module: strict security headers (the
// caller's CSP, no framing, no caching), and the form-or-JSON body reader their forms use.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';

/** A page that loads nothing but its own styles, posts only to itself and cannot be framed. */
export const STRICT_PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function htmlPage(c: Context, body: JSX.Element, status = 200, csp = STRICT_PAGE_CSP): Response {
  c.header('Content-Security-Policy', csp);
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${String(body)}`, status as 200);
}

/** Form or JSON body as a record (repeated form keys stay arrays; files stay File objects). */
export async function readFormOrJson(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) {
    const body: unknown = await c.req.json().catch(() => undefined);
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  }
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    return (await c.req.parseBody({ all: true })) as Record<string, unknown>;
  }
  return {};
}
