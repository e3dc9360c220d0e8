// Response helpers for identity routes: HTML pages with strict security headers, and
// the wantsHtml test that lets browser flows get pages while APIs get problem+json.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { htmlPage } from '../../http/index.js';

/** Pages load scripts and styles only from 'self' and cannot be framed. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self' http://127.0.0.1:* http://[::1]:*; frame-ancestors 'none'; base-uri 'none'";

export function page(c: Context, body: JSX.Element, status = 200): Response {
  return htmlPage(c, body, status, PAGE_CSP);
}

export function wantsHtml(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('text/html');
}

/** 303 to a same-origin path after a form POST. */
export function seeOther(c: Context, path: string): Response {
  return c.redirect(path, 303);
}

export { readFormOrJson as readBody } from '../../http/index.js';

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
