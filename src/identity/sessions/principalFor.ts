// The policy principal for a user: Radgate::User with kind/org/department, in its Roles.
import type { EntityDescription } from '../../policy/index.js';
import type { User } from '../types.js';

export function principalFor(user: User): EntityDescription {
  const attrs: Record<string, string> = { kind: user.kind, org: user.organization ?? '' };
  if (user.department !== null && user.department !== '') attrs.department = user.department;
  const parents = user.roles.map((id) => Object.freeze({ type: 'Radgate::Role', id }));
  return Object.freeze({
    uid: Object.freeze({ type: 'Radgate::User', id: user.id }),
    attrs: Object.freeze(attrs),
    parents: Object.freeze(parents),
  });
}

export { userActor } from '../../audit/index.js';
