// Step-up for sensitive actions (access approval, policy activation, break-glass, key
// removal): the request passes only when the session's last security-key assertion is
// fresh; otherwise 401 `step-up-required`, so the client runs a step-up ceremony and
// retries. Policy can demand the same through context.auth.ageSeconds.
import type { Context, MiddlewareHandler } from 'hono';
import type { AuditLog } from '../../audit/index.js';
import { SessionError, userActor, type SessionEnv } from '../sessions/index.js';
import { isAuthFresh } from './isAuthFresh.js';

export interface StepUpDeps {
  audit: Pick<AuditLog, 'append'>;
  /** Epoch ms; defaults to Date.now. */
  now?: () => number;
}

/** Response header naming the freshness demanded, e.g. `max-age=300`. */
export const STEP_UP_HEADER = 'X-Radgate-Step-Up';

export function requireFreshAuth<E extends SessionEnv = SessionEnv>(maxAgeSeconds: number, deps: StepUpDeps): MiddlewareHandler<E> {
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) throw new RangeError('requireFreshAuth: maxAgeSeconds must be positive');
  const clock = deps.now ?? Date.now;
  return async (c, next) => {
    const cx = c as unknown as Context<SessionEnv>;
    const session = cx.get('session');
    if (session === undefined) throw new SessionError('session-missing');
    const now = clock();
    if (!isAuthFresh(session, maxAgeSeconds, now)) {
      const ageSeconds = session.verifiedAt === null ? null : Math.floor((now - session.verifiedAt) / 1000);
      await deps.audit.append({
        type: 'identity.step-up',
        actor: userActor(session.userId),
        outcome: 'failure',
        detail: { reason: 'step-up-required', sessionId: session.id, maxAgeSeconds, ageSeconds, method: c.req.method, path: c.req.path },
        time: new Date(now),
      });
      c.header(STEP_UP_HEADER, `max-age=${maxAgeSeconds}`);
      throw new SessionError('step-up-required', { detail: `verification age ${ageSeconds ?? 'none'} s > ${maxAgeSeconds} s` });
    }
    await next();
  };
}

/** The same rule for domain code that is not behind the middleware. */
export function assertFreshAuth(session: Parameters<typeof isAuthFresh>[0], maxAgeSeconds: number, now: number): void {
  if (!isAuthFresh(session, maxAgeSeconds, now)) throw new SessionError('step-up-required');
}
