// HTML responses of the console: strict security headers, no caching, and the page frame
// facts (who, role, CSRF token) for a caller.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { csrfToken } from '../identity/index.js';
import type { AdminCaller } from './adminCaller.js';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function html(c: Context, body: JSX.Element, status = 200): Response {
  c.header('Content-Security-Policy', CSP);
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${String(body)}`, status as 200);
}

export function frame(caller: AdminCaller, extra: { notice?: string | undefined; error?: string | undefined } = {}) {
  return {
    who: caller.user.displayName ?? caller.user.id,
    csrf: csrfToken(caller.session),
    role: caller.isAdmin ? ('admin' as const) : ('auditor' as const),
    notice: extra.notice,
    error: extra.error,
  };
}

/** Form or JSON body as a record (repeated form keys stay arrays; files stay File objects). */
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
