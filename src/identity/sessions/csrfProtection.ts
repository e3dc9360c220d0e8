// Hono middleware: CSRF checks on every cookie-authenticated state change (Origin plus
// the synchronizer token from `X-CSRF-Token` or the `_csrf` form field).
import type { Context, MiddlewareHandler } from 'hono';
import type { AuditLog } from '../../audit/index.js';
import { verifyCsrf } from './csrf.js';
import { userActor } from './principalFor.js';
import { SessionError } from './SessionError.js';
import type { SessionEnv } from './sessionEnv.js';

export interface CsrfProtectionDeps {
  /** Exact origins this broker is served from (config webauthn.origins, else publicUrl's). */
  expectedOrigins: readonly string[];
  audit: Pick<AuditLog, 'append'>;
  now?: () => number;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * Runs after sessionMiddleware. Requests without a cookie session pass untouched (bearer
 * tokens are not ambient credentials; anonymous requests have nothing to forge).
 */
export function csrfProtection<E extends SessionEnv = SessionEnv>(deps: CsrfProtectionDeps): MiddlewareHandler<E> {
  const clock = deps.now ?? Date.now;
  return async (c, next) => {
    const cx = c as unknown as Context<SessionEnv>;
    const session = cx.get('session');
    if (SAFE.has(c.req.method) || session === undefined || cx.get('sessionVia') !== 'cookie') return next();
    const token = c.req.header('x-csrf-token') ?? (await formToken(cx));
    const verdict = verifyCsrf({
      session,
      token,
      origin: c.req.header('origin'),
      referer: c.req.header('referer'),
      expectedOrigins: deps.expectedOrigins,
    });
    if (!verdict.ok) {
      await deps.audit.append({
        type: 'identity.csrf',
        actor: userActor(session.userId),
        outcome: 'failure',
        detail: { reason: verdict.reason, sessionId: session.id, method: c.req.method, path: c.req.path },
        time: new Date(clock()),
      });
      throw new SessionError(verdict.reason);
    }
    return next();
  };
}

async function formToken(c: Context<SessionEnv>): Promise<string | undefined> {
  if (!FORM.test(c.req.header('content-type') ?? '')) return undefined;
  // Hono caches the parsed body, so the route can parse it again.
  const body = await c.req.parseBody().catch(() => undefined);
  const v = body?._csrf;
  return typeof v === 'string' ? v : undefined;
}
