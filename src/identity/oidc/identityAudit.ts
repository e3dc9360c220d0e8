// Audit events of the OIDC relying party: one per sign-in outcome and per logout.
import type { AuditLog } from '../../audit/index.js';
import { RadgateError } from '../../errors/index.js';
import { OidcError } from './OidcError.js';

export type IdentityAuditType = 'identity.login' | 'identity.logout' | 'identity.backchannel-logout';

export const ANONYMOUS = 'anonymous';

export { userActor } from '../../audit/index.js';

/**
 * Records a refusal with its stable reason (OidcError.reason, else the error code) and the
 * private detail; never a token or secret. Returns the error to throw.
 */
export async function auditFailure(
  audit: Pick<AuditLog, 'append'>,
  type: IdentityAuditType,
  thrown: unknown,
  context: { actor?: string; idp?: string | null; [key: string]: unknown },
): Promise<RadgateError> {
  const err = thrown instanceof RadgateError ? thrown : new RadgateError('internal', 'internal error', { cause: thrown, detail: String(thrown) });
  const reason = err instanceof OidcError ? err.reason : err.code;
  const { actor, ...rest } = context;
  await audit.append({
    type,
    actor: actor ?? ANONYMOUS,
    outcome: 'failure',
    detail: { ...dropUndefined(rest), reason, code: err.code, ...(err.detail ? { message: clip(err.detail) } : {}) },
  });
  return err;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Third-party messages can echo attacker-chosen text: one short line, no control characters. */
export function clip(s: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const line = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\p{Cs}/gu, '?');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
