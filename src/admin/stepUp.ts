// The console's step-up: a write that needs a fresh security-key confirmation sends the
// browser through identity's step-up page and back to `returnTo` (the page with the
// button), where the admin presses it again. The refusal is audited.
import type { Context } from 'hono';
import { actorUid, type AdminCaller } from './adminCaller.js';
import type { AdminDeps, AdminEnv } from './adminDeps.js';

export const stepUpUrl = (returnTo: string): string => `/auth/step-up?return_to=${encodeURIComponent(returnTo)}`;

/** Undefined when the caller's key verification is fresh; otherwise the redirect to answer with. */
export async function requireStepUp(d: Pick<AdminDeps, 'audit'>, c: Context<AdminEnv>, caller: AdminCaller, returnTo: string): Promise<Response | undefined> {
  if (caller.actor.stepUpFresh) return undefined;
  await d.audit.append({ type: 'identity.step-up', actor: actorUid(caller.user.id), outcome: 'failure', detail: { reason: 'step-up-required', path: c.req.path } });
  return c.redirect(stepUpUrl(returnTo), 303);
}
