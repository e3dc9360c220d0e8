// Runs a ceremony step; an identity error it throws is audited (with its reason) and rethrown.
import type { AuditEventInput } from '../../audit/index.js';
import { isSessionError, userActor } from '../sessions/index.js';
import type { WebauthnDeps } from './types.js';
import { isWebauthnError } from './WebauthnError.js';

export async function auditFailures<T>(
  deps: Pick<WebauthnDeps, 'audit'>,
  event: { type: string; userId: string; now: number; detail: Record<string, unknown> },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isWebauthnError(err) || isSessionError(err)) {
      const e: AuditEventInput = {
        type: event.type,
        actor: userActor(event.userId),
        outcome: 'failure',
        detail: { ...event.detail, reason: err.reason },
        time: new Date(event.now),
      };
      await deps.audit.append(e);
    }
    throw err;
  }
}
