import { describe, expect, it } from 'vitest';
import { schemaToJsonWithResolvedTypes } from './cedar.js';
import { compileRequestModel } from './compileRequestModel.js';
import { parsePolicySet } from './parsePolicySet.js';
import { policiesForAction } from './partitionByAction.js';

const SCHEMA = `namespace N {
  entity U; entity D;
  action "top"; action "mid" in ["top"];
  action "a" in ["mid"] appliesTo { principal: U, resource: D };
  action "b" appliesTo { principal: U, resource: D };
}`;
const resolved = schemaToJsonWithResolvedTypes(SCHEMA);
if (resolved.type !== 'success') throw new Error('schema');
const model = compileRequestModel(resolved.json, 'N');
const set = parsePolicySet({
  source: 'mem',
  schema: { file: 'n.cedarschema', text: SCHEMA },
  policies: [
    {
      file: 'p.cedar',
      text: [
        '@id("any") permit (principal, action, resource);',
        '@id("eq-a") permit (principal, action == N::Action::"a", resource);',
        '@id("eq-b") permit (principal, action == N::Action::"b", resource);',
        '@id("in-top") forbid (principal, action in N::Action::"top", resource);',
        '@id("in-list") permit (principal, action in [N::Action::"b", N::Action::"mid"], resource);',
      ].join('\n'),
    },
  ],
});
const ids = (action: string) => policiesForAction(set.policies.values(), model.actions.get(action)!).map((p) => p.id).sort();

describe('policiesForAction', () => {
  it('keeps unscoped policies, equal actions and groups the action is in (transitively)', () => {
    expect(ids('a')).toEqual(['any', 'eq-a', 'in-list', 'in-top']);
  });

  it('leaves out policies scoped to other actions or groups', () => {
    expect(ids('b')).toEqual(['any', 'eq-b', 'in-list']);
  });
});
