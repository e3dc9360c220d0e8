// The test-side JSON Schema validator: it must reject what the FHIR R4 AuditEvent schema
// rejects (else the FHIR export tests that rely on it could not fail), and refuse schemas
// with keywords it does not implement.
import { describe, expect, it } from 'vitest';
import { compileSchema, validateFhirAuditEvent } from './fhirJsonSchema.js';

/** A minimal valid R4 AuditEvent (all four required elements). */
const valid = () => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114' },
  recorded: '2026-11-23T10:00:00.000Z',
  agent: [{ who: { identifier: { value: 'u1' } }, requestor: true }],
  source: { observer: { display: 'radgate' } },
});

const at = (errors: { path: string }[]) => errors.map((e) => e.path);

describe('FHIR R4 AuditEvent schema validator', () => {
  it('accepts a minimal valid AuditEvent', () => {
    expect(validateFhirAuditEvent(valid())).toEqual([]);
  });

  it.each([
    ['a missing required element (source)', (r: Record<string, unknown>) => delete r.source, '/source'],
    ['a wrong resourceType (const)', (r: Record<string, unknown>) => (r.resourceType = 'Patient'), '/resourceType'],
    ['an unknown top-level element (additionalProperties: false)', (r: Record<string, unknown>) => (r.patient = 'x'), '/patient'],
    ['an action outside the enum', (r: Record<string, unknown>) => (r.action = 'X'), '/action'],
    ['an outcome given as a number (enum of strings)', (r: Record<string, unknown>) => (r.outcome = 0), '/outcome'],
    ['a recorded instant without a time zone (pattern)', (r: Record<string, unknown>) => (r.recorded = '2026-11-23T10:00:00'), '/recorded'],
    ['an agent that is not an array (type)', (r: Record<string, unknown>) => (r.agent = { requestor: true }), '/agent'],
    ['requestor as a string (type boolean)', (r: Record<string, unknown>) => ((r.agent as Record<string, unknown>[])[0]!.requestor = 'true'), '/agent/0/requestor'],
    ['an unknown element deep in a $ref-ed type', (r: Record<string, unknown>) => ((r.type as Record<string, unknown>).colour = 'red'), '/type/colour'],
    ['an empty string (FHIR string pattern)', (r: Record<string, unknown>) => (r.outcomeDesc = ''), '/outcomeDesc'],
    ['a vertical tab in a string (only space, TAB, CR, LF are allowed whitespace)', (r: Record<string, unknown>) => (r.outcomeDesc = 'a\u000bb'), '/outcomeDesc'],
    ['a line separator in a string', (r: Record<string, unknown>) => (r.outcomeDesc = 'a\u2028b'), '/outcomeDesc'],
    ['a code with a double space (code pattern)', (r: Record<string, unknown>) => ((r.type as Record<string, unknown>).code = 'a  b'), '/type/code'],
    ['a uri with a space', (r: Record<string, unknown>) => ((r.type as Record<string, unknown>).system = 'http://x y'), '/type/system'],
    ['an id over 64 characters', (r: Record<string, unknown>) => (r.id = 'a'.repeat(65)), '/id'],
    ['a contained resource (ResourceList is false in the fixture)', (r: Record<string, unknown>) => (r.contained = [{ resourceType: 'Patient' }]), '/contained/0'],
    ['a network type outside its enum', (r: Record<string, unknown>) => ((r.agent as Record<string, unknown>[])[0]!.network = { address: 'h', type: '9' }), '/agent/0/network/type'],
    ['a missing source.observer (required inside a definition)', (r: Record<string, unknown>) => (r.source = { site: 'x' }), '/source/observer'],
  ])('rejects %s', (_name, mutate, path) => {
    const r = valid() as Record<string, unknown>;
    mutate(r);
    const errors = validateFhirAuditEvent(r);
    expect(errors.length).toBeGreaterThan(0);
    expect(at(errors)).toContain(path);
  });

  it('rejects a non-object document', () => {
    expect(validateFhirAuditEvent([valid()]).length).toBeGreaterThan(0);
    expect(validateFhirAuditEvent(null).length).toBeGreaterThan(0);
  });

  it('refuses to compile a schema with a keyword it does not implement', () => {
    expect(() => compileSchema({ type: 'string', minLength: 3 })).toThrow(/minLength.*not implemented/);
    expect(() => compileSchema({ oneOf: [{ type: 'string' }] })).toThrow(/oneOf/);
    expect(() => compileSchema({ $ref: 'http://elsewhere/x' })).toThrow(/local/);
    expect(() => compileSchema({ $ref: '#/definitions/a', type: 'string', definitions: { a: true } })).toThrow(/sibling/);
  });

  it('implements items tuples, integer, boolean schemas and additionalProperties schemas', () => {
    const v = compileSchema({ type: 'array', items: [{ type: 'integer' }, { const: 'x' }] });
    expect(v([1, 'x'])).toEqual([]);
    expect(at(v([1.5, 'x']))).toEqual(['/0']);
    expect(at(v([1, 'y']))).toEqual(['/1']);
    const o = compileSchema({ type: 'object', properties: { a: true }, additionalProperties: { type: 'number' } });
    expect(o({ a: 'anything', b: 2 })).toEqual([]);
    expect(at(o({ b: 'two' }))).toEqual(['/b']);
  });
});
