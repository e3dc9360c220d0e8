// HTML responses of the console: strict security headers, no caching, and the page frame
// facts (who, role, CSRF token) for a caller.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { htmlPage } from '../http/index.js';
import { csrfToken } from '../identity/index.js';
import type { AdminCaller } from './adminCaller.js';

/** Console pages: the shared strict page headers. */
export const html = (c: Context, body: JSX.Element, status = 200): Response => htmlPage(c, body, status);

export function frame(caller: AdminCaller, extra: { notice?: string | undefined; error?: string | undefined } = {}) {
  return {
    who: caller.user.displayName ?? caller.user.id,
    csrf: csrfToken(caller.session),
    role: caller.isAdmin ? ('admin' as const) : ('auditor' as const),
    notice: extra.notice,
    error: extra.error,
  };
}

export { readFormOrJson as readBody } from '../http/index.js';
