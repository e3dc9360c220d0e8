// Audit for the agent login: one helper so every step records the same way. Details
// carry ids and reasons, never codes, verifiers or tokens.
import type { AuditOutcome } from '../../audit/index.js';
import type { AgentLoginDeps } from './types.js';
import { userActor } from './types.js';

export type AgentAuditType = 'identity.agent.authorize' | 'identity.agent.token' | 'identity.agent.device';

export function appendAudit(
  deps: Pick<AgentLoginDeps, 'audit'>,
  type: AgentAuditType,
  userId: string | null | undefined,
  outcome: Extract<AuditOutcome, 'success' | 'failure'>,
  detail: Record<string, unknown>,
): Promise<unknown> {
  const actor = typeof userId === 'string' && userId.length > 0 ? userActor(userId) : 'anonymous';
  return deps.audit.append({ type, actor, outcome, detail });
}
