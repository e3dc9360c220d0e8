import { describe, expect, it } from 'vitest';
import { schemaToJsonWithResolvedTypes } from './cedar.js';
import { compileRequestModel, encodeEntity } from './compileRequestModel.js';

const SCHEMA = `namespace N {
  type Net = { source: ipaddr };
  entity Role;
  entity User in [Role] { kind: String, tags?: Set<String> };
  entity Doc { owner: User };
  action "all";
  action "read" in ["all"] appliesTo { principal: User, resource: Doc, context: { net?: Net, n?: Long, owner?: User } };
}`;
const json = schemaToJsonWithResolvedTypes(SCHEMA);
if (json.type !== 'success') throw new Error('schema');
const model = compileRequestModel(json.json, 'N');
const read = model.actions.get('read')!;

describe('compileRequestModel', () => {
  it('lists only request actions, with their groups as direct parents of the action entity', () => {
    expect([...model.actions.keys()]).toEqual(['read']);
    expect(read.entity).toEqual({ uid: { type: 'N::Action', id: 'read' }, attrs: {}, parents: [{ type: 'N::Action', id: 'all' }] });
  });

  it.each([
    [{}, undefined],
    [{ n: 3 }, undefined],
    [{ n: 3.5 }, 'context.n: expected an integer'],
    [{ n: 2 ** 60 }, 'context.n: expected an integer'],
    [{ extra: 1 }, 'context.extra: not in the schema'],
    [{ net: {} }, 'context.net.source: missing'],
    [{ net: { source: '10.0.0.1' } }, undefined],
    [{ net: { source: '10.0.0.0/8' } }, undefined],
    [{ net: { source: '10.0.0.0/33' } }, 'context.net.source: expected a ipaddr value'],
    [{ net: { source: 'fe80::1%eth0' } }, 'context.net.source: expected a ipaddr value'],
    [{ net: { source: '::ffff:1.2.3.4' } }, 'context.net.source: expected a ipaddr value'],
    [{ owner: { type: 'N::User', id: 'u' } }, undefined],
    [{ owner: { type: 'N::Doc', id: 'u' } }, 'context.owner: expected a N::User reference'],
  ])('checks context %j → %s', (ctx, expected) => {
    expect(read.context.check(ctx)).toBe(expected);
  });

  it('converts entity references and ip addresses to schema-free Cedar JSON', () => {
    expect(read.context.convert({ net: { source: '10.0.0.1' }, owner: { type: 'N::User', id: 'u' }, n: 1 })).toEqual({
      net: { source: { __extn: { fn: 'ip', arg: '10.0.0.1' } } },
      owner: { __entity: { type: 'N::User', id: 'u' } },
      n: 1,
    });
  });

  it('encodes a conforming entity and drops attributes no policy reads', () => {
    const doc = { uid: { type: 'N::Doc', id: 'd' }, attrs: { owner: { type: 'N::User', id: 'u' } } };
    expect(encodeEntity(model, doc, 'resource')).toEqual({ uid: doc.uid, attrs: { owner: { __entity: { type: 'N::User', id: 'u' } } }, parents: [] });
    expect(encodeEntity(model, doc, 'resource', new Set())).toEqual({ uid: doc.uid, attrs: {}, parents: [] });
  });

  it('refuses entities of unknown types, wrong attribute types and disallowed parents', () => {
    expect(() => encodeEntity(model, { uid: { type: 'N::Nope', id: 'x' } }, 'entity')).toThrow(/not in the schema/);
    expect(() => encodeEntity(model, { uid: { type: 'N::User', id: 'u' }, attrs: { kind: 1 } }, 'principal')).toThrow(/kind: expected a string/);
    expect(() => encodeEntity(model, { uid: { type: 'N::User', id: 'u' }, attrs: { kind: 'x' }, parents: [{ type: 'N::Doc', id: 'd' }] }, 'principal')).toThrow(/cannot be in N::Doc/);
    expect(() => encodeEntity(model, { uid: { type: 'N::User', id: '\uD800' }, attrs: { kind: 'x' } }, 'principal')).toThrow(/expected a uid/);
  });
});
