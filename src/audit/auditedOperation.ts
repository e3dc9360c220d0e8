// Shared audit vocabulary for modules' operations: the actor string of a user, and the
// wrapper that audits a refused operation (its stable reason, never request bodies or
// keys) before the error goes on to the caller.
import type { AuditLog } from './types.js';

/** The audit actor for a user: Cedar uid syntax, `Radgate::User::"<id>"`. */
export const userActor = (userId: string): string => `Radgate::User::${JSON.stringify(userId)}`;

export async function auditRefusal<T>(
  audit: Pick<AuditLog, 'append'>,
  event: { type: string; actor: string; detail?: Record<string, unknown> },
  fn: () => Promise<T>,
  describe: (err: unknown) => Record<string, unknown>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await audit.append({ type: event.type, actor: event.actor, outcome: 'failure', detail: { ...event.detail, ...describe(err) } });
    throw err;
  }
}
