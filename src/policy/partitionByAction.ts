// Which policies can apply to an action, judged from their action scope alone. Cedar
// evaluates the scope before any condition, so a policy whose scope excludes the action
// can neither decide nor err for it: leaving it out of that action's set is exact.
// Each action gets its own preparsed set, because cedar-wasm clones the whole set on
// every call (~2-4 µs per policy).
import type { ActionModel } from './compileRequestModel.js';
import type { LoadedPolicy } from './types.js';

export function policiesForAction(policies: Iterable<LoadedPolicy>, action: ActionModel): LoadedPolicy[] {
  return [...policies].filter((p) => scopeMayMatch((p.json as { action?: unknown }).action, action));
}

function scopeMayMatch(scope: unknown, action: ActionModel): boolean {
  const s = scope as { op?: string; entity?: unknown; entities?: unknown[] } | undefined;
  if (!s || s.op === 'All') return true;
  const uids = s.op === '==' || s.op === 'in' ? (s.entities ?? (s.entity !== undefined ? [s.entity] : undefined)) : undefined;
  if (!uids) return true; // a scope shape we do not know: keep the policy
  return uids.some((u) => {
    const uid = ((u as { __entity?: unknown }).__entity ?? u) as { type?: unknown; id?: unknown };
    if (uid.type !== action.uid.type || typeof uid.id !== 'string') return true;
    if (uid.id === action.name) return true;
    return s.op === 'in' && action.groups.has(uid.id);
  });
}
