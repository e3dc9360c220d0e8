// Response helpers for identity routes: HTML pages with strict security headers, and
// the wantsHtml test that lets browser flows get pages while APIs get problem+json.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';

/** Pages load scripts and styles only from 'self' and cannot be framed. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self' http://127.0.0.1:* http://[::1]:*; frame-ancestors 'none'; base-uri 'none'";

export function page(c: Context, body: JSX.Element, status = 200): Response {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${String(body)}`, status as 200);
}

export function wantsHtml(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('text/html');
}

/** 303 to a same-origin path after a form POST. */
export function seeOther(c: Context, path: string): Response {
  return c.redirect(path, 303);
}

/** Form or JSON body as a flat record of strings (repeated keys stay arrays). */
export async function readBody(c: Context): Promise<Record<string, unknown>> {
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

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
