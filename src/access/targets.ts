// Targets: protected upstreams declared in config (read-only here) or added by admins.
// Removing a target ends every grant on it.
import { z } from 'zod';
import { targetConfigSchema, type TargetConfig } from '../config/index.js';
import type { TargetRow } from '../store/index.js';
import { AccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { targetLabels, type TargetLabels } from './accessRules.js';
import { audited, userActor } from './audited.js';
import { assertAdmin, assertFreshStepUp, assertKeyVerified } from './callerChecks.js';
import { endGrant } from './grants.js';

export interface TargetView {
  name: string;
  kind: string;
  labels: TargetLabels;
  maxDurationSeconds: number | null;
  recording: boolean;
  source: 'config' | 'admin';
  /** host:port; administrators only. */
  address?: string;
}

export function targetView(r: TargetRow, withAddress: boolean): TargetView {
  return {
    name: r.name,
    kind: r.kind,
    labels: targetLabels(r),
    maxDurationSeconds: r.maxDurationSeconds,
    recording: r.recording,
    source: r.source,
    ...(withAddress ? { address: r.address } : {}),
  };
}

export async function syncConfigTargets(deps: Pick<AccessDeps, 'store'>, targets: readonly TargetConfig[], now: number): Promise<void> {
  await deps.store.access.syncConfigTargets(
    targets.map((t) => ({
      name: t.name,
      kind: t.kind,
      address: t.address,
      labels: JSON.stringify(t.labels),
      maxDurationSeconds: t.maxDuration ?? null,
      recording: t.recording,
      source: 'config' as const,
      createdAt: now,
      updatedAt: now,
    })),
    now,
  );
}

export async function listTargets(deps: AccessDeps, c: Caller): Promise<TargetView[]> {
  assertKeyVerified(c);
  const admin = c.user.roles.includes('admin');
  return (await deps.store.access.listTargets()).map((r) => targetView(r, admin));
}

/** The API body of an added target: the config shape (same validation). */
const addBody = targetConfigSchema;

export async function addTarget(deps: AccessDeps, c: Caller, body: unknown): Promise<TargetView> {
  const actor = userActor(c.user.id);
  const name = typeof (body as { name?: unknown } | null)?.name === 'string' ? String((body as { name: string }).name).slice(0, 64) : null;
  return audited(deps.audit, { type: 'access.target.add', actor, detail: { target: name } }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c, deps.stepUpMaxAgeSeconds, now);
    const parsed = addBody.safeParse(body);
    if (!parsed.success) throw new AccessError('request-malformed', { detail: formatIssue(parsed.error) });
    const t = parsed.data;
    const row = { name: t.name, kind: t.kind, address: t.address, labels: JSON.stringify(t.labels), maxDurationSeconds: t.maxDuration ?? null, recording: t.recording, source: 'admin' as const, createdAt: now, updatedAt: now };
    if (!(await deps.store.access.insertTarget(row))) throw new AccessError('target-exists');
    await deps.audit.append({ type: 'access.target.add', actor, outcome: 'success', detail: { target: t.name, kind: t.kind, address: t.address, labels: t.labels, recording: t.recording } });
    deps.bus.emit({ type: 'entities.changed', what: `target:${t.name}` });
    return targetView({ ...row, removedAt: null }, true);
  });
}

export async function removeTarget(deps: AccessDeps, c: Caller, name: string): Promise<{ name: string; endedGrants: string[] }> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'access.target.remove', actor, detail: { target: name.slice(0, 64) } }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c, deps.stepUpMaxAgeSeconds, now);
    const row = await deps.store.access.getTarget(name);
    if (!row) throw new AccessError('target-not-found');
    if (row.source === 'config') throw new AccessError('target-read-only');
    if (!(await deps.store.access.removeTarget(name, now))) throw new AccessError('target-not-found');
    const active = await deps.store.access.listGrants({ target: name, state: 'active' });
    const ended: string[] = [];
    for (const g of active) if (await endGrant(deps, g.id, c.user.id, 'target-removed', now)) ended.push(g.id);
    await deps.audit.append({ type: 'access.target.remove', actor, outcome: 'success', detail: { target: name, endedGrants: ended } });
    deps.bus.emit({ type: 'entities.changed', what: `target:${name}` });
    return { name, endedGrants: ended };
  });
}

export function formatIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || '(body)'}: ${i.message}` : 'invalid';
}
