// Radgate audit events as FHIR R4 AuditEvents per IHE BALP: the profiles' codes for read,
// query and create, one resource per patient, no profile claimed where its requirements are
// not met, and hostile strings (JSON escaping, control characters, odd whitespace, very
// long values) that still give schema-valid resources.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toFhirAuditEvents, type FhirAuditEvent } from '../../../src/audit/export/toFhirAuditEvents.js';
import type { AuditRow } from '../../../src/store/index.js';
import { validateFhirAuditEvent } from './fhirJsonSchema.js';

const HASH = 'ab'.repeat(32);
const row = (seq: number, type: string, actor: string, outcome: string, detail: unknown): AuditRow => ({
  seq,
  time: '2026-11-23T03:12:45.123Z',
  type,
  actor,
  outcome,
  detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
  prevHash: '00'.repeat(32),
  hash: HASH,
});
const SOURCE = { sourceId: 'radgate.example.org', siteId: 'General Hospital' };
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const agentOf = (r: FhirAuditEvent, code: string): J | undefined => (r.agent as J[]).find((a) => a.type?.coding?.[0]?.code === code);
const entityOf = (r: FhirAuditEvent, role: string): J[] => (r.entity as J[]).filter((e) => e.role?.code === role);
const expectValid = (rs: FhirAuditEvent[]) => {
  for (const r of rs) expect(validateFhirAuditEvent(JSON.parse(JSON.stringify(r)))).toEqual([]);
};

const retrieve = {
  target: 'pacs-rad',
  action: 'dicomweb.retrieve',
  study: '1.2.826.0.1.3680043.8.498.1',
  patientId: 'P-0042',
  source: '10.1.2.3',
  deviceId: 'dev-7',
  serial: '0a1b',
  route: '/dicomweb/studies/1.2.826.0.1.3680043.8.498.1',
  bytes: 1024,
};

describe('toFhirAuditEvents (IHE BALP)', () => {
  it('maps a successful retrieve with a known patient to BALP PatientRead', () => {
    const [r, ...rest] = toFhirAuditEvents(row(12, 'gateway.http.request', 'Radgate::User::"dr.who"', 'success', retrieve), SOURCE);
    expect(rest).toEqual([]);
    expectValid([r!]);
    expect(r!.meta).toEqual({ profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead'] });
    expect(r!.type).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' });
    expect((r!.subtype as J[]).map((c) => `${c.system}#${c.code}`)).toEqual([
      'http://hl7.org/fhir/restful-interaction#read',
      `${DCM}#110104`,
      'urn:radgate:audit-event-type#gateway.http.request',
    ]);
    expect(r).toMatchObject({ id: 'rg-12', action: 'R', outcome: '0', recorded: '2026-11-23T03:12:45.123Z' });
    // Read: the client is the Destination Role ID, the server the Source Role ID.
    expect(agentOf(r!, '110152')).toMatchObject({ who: { identifier: { system: 'urn:radgate:device', value: 'dev-7' } }, altId: 'serial:0a1b', requestor: false, network: { address: '10.1.2.3', type: '2' } });
    expect(agentOf(r!, '110153')).toMatchObject({ who: { identifier: { value: 'radgate.example.org/pacs-rad' } }, requestor: false, network: { address: 'radgate.example.org', type: '1' } });
    expect(agentOf(r!, 'IRCP')).toMatchObject({ who: { identifier: { system: 'urn:radgate:user', value: 'dr.who' } }, requestor: true });
    expect(agentOf(r!, 'IRCP')!.network).toBeUndefined();
    expect(entityOf(r!, '1')).toEqual([
      { what: { type: 'Patient', identifier: { value: 'P-0042' } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' } },
    ]);
    expect(entityOf(r!, '4')[0]!.what).toEqual({ type: 'ImagingStudy', identifier: { system: 'urn:dicom:uid', value: 'urn:oid:1.2.826.0.1.3680043.8.498.1' } });
    const ev = entityOf(r!, '13')[0]!;
    expect(ev.what).toEqual({ identifier: { system: 'urn:radgate:audit-seq', value: '12' } });
    expect(ev.detail).toContainEqual({ type: 'hash', valueString: HASH });
    expect(r!.source).toEqual({ site: 'General Hospital', observer: { identifier: { value: 'radgate.example.org' }, display: 'radgate.example.org' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] });
  });

  it('maps a study-less QIDO query to BALP Query with the raw request base64 encoded', () => {
    const route = '/dicomweb/studies?PatientName=DOE*&00100020=P1';
    const [r] = toFhirAuditEvents(row(3, 'gateway.http.request', 'Radgate::User::"u1"', 'success', { target: 't', action: 'dicomweb.query', route, source: '10.0.0.9' }), SOURCE);
    expectValid([r!]);
    expect(r!.meta).toEqual({ profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Query'] });
    expect(r).toMatchObject({ action: 'E', subtype: [{ code: 'search-type' }, { code: '110112' }, { code: 'gateway.http.request' }] });
    // Query: the client is the Source Role ID, the server the Destination Role ID.
    expect(agentOf(r!, '110153')!.who.identifier.value).toBe('10.0.0.9');
    expect(agentOf(r!, '110152')!.who.identifier.value).toBe('radgate.example.org/t');
    const q = entityOf(r!, '24')[0]!;
    expect(q.type.code).toBe('2');
    expect(Buffer.from(q.query as string, 'base64').toString('utf8')).toBe(route);
    expect(entityOf(r!, '1')).toEqual([]);
  });

  it('maps a STOW store to BALP PatientCreate with the user as author', () => {
    const [r] = toFhirAuditEvents(row(4, 'gateway.http.request', 'Radgate::User::"tech"', 'success', { ...retrieve, action: 'dicomweb.store' }), SOURCE);
    expectValid([r!]);
    expect(r!.meta).toEqual({ profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientCreate'] });
    expect(r).toMatchObject({ action: 'C', subtype: [{ code: 'create' }, { code: '110104' }, { code: 'gateway.http.request' }] });
    expect(agentOf(r!, 'AUT')!.requestor).toBe(true);
    expect(agentOf(r!, '110153')!.who.identifier.system).toBe('urn:radgate:device');
  });

  it('writes one AuditEvent per patient when an event names several', () => {
    const rs = toFhirAuditEvents(row(7, 'gateway.dicom.command', 'Radgate::User::"u"', 'success', { target: 't', action: 'dicom.find', source: '10.0.0.1', patientId: 'A', patientIds: ['A', 'B', 'C', 42, ''] }), SOURCE);
    expectValid(rs);
    expect(rs.map((r) => r.id)).toEqual(['rg-7-1', 'rg-7-2', 'rg-7-3']);
    expect(rs.map((r) => entityOf(r, '1').map((e) => e.what.identifier.value))).toEqual([['A'], ['B'], ['C']]);
    for (const r of rs) expect(r.meta).toEqual({ profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery'] });
  });

  it('claims no BALP profile for a failed retrieve (BALP fixes outcome 0) and says why it failed', () => {
    const [r] = toFhirAuditEvents(row(5, 'gateway.http.request', 'Radgate::User::"u"', 'deny', { ...retrieve, reason: 'posture-stale' }), SOURCE);
    expectValid([r!]);
    expect(r!.meta).toBeUndefined();
    expect(r).toMatchObject({ outcome: '4', outcomeDesc: 'posture-stale' });
  });

  it('claims no BALP profile when the client network address is unknown', () => {
    const [r] = toFhirAuditEvents(row(6, 'gateway.http.request', 'Radgate::User::"u"', 'success', { target: 't', action: 'dicomweb.retrieve', study: '1.2.3', patientId: 'P' }), SOURCE);
    expectValid([r!]);
    expect(r!.meta).toBeUndefined();
    expect((r!.agent as J[]).length).toBe(2);
  });

  it('keeps the DICOM event code for non-REST events (login: 110114 / 110122) and skips allowed decisions', () => {
    const [r] = toFhirAuditEvents(row(8, 'identity.login', 'Radgate::User::"u"', 'success', { source: '10.0.0.2' }), SOURCE);
    expectValid([r!]);
    expect(r!.type).toEqual({ system: DCM, code: '110114', display: 'User Authentication' });
    expect((r!.subtype as J[])[0]).toEqual({ system: DCM, code: '110122', display: 'Login' });
    expect(r!.meta).toBeUndefined();
    expect(toFhirAuditEvents(row(9, 'decision', 'Radgate::User::"u"', 'allow', { action: 'dicomweb.retrieve' }), SOURCE)).toEqual([]);
    const [alert] = toFhirAuditEvents(row(10, 'analytics.alert', 'system', 'alert', { kind: 'snooping', reason: '40 patients in 1 h' }), SOURCE);
    expectValid([alert!]);
    expect(alert!.type).toMatchObject({ code: '110113' });
  });

  it('exports an event whose stored detail is not JSON as a valid resource without its facts', () => {
    const rs = toFhirAuditEvents(row(11, 'gateway.http.request', 'Radgate::User::"u"', 'failure', '{not json'), SOURCE);
    expect(rs.length).toBe(1);
    expectValid(rs);
  });

  it('keeps hostile strings valid: JSON metacharacters, controls, odd whitespace, lone surrogates, very long values', () => {
    const nasty = '"},{"resourceType":"Patient"}\\\u0000\u0001\u0007\u000b\u000c\u001b\u007f\u2028\u2029\u00a0\ufeff\ud800</script><!--';
    const long = 'x'.repeat(200_000);
    const detail = { ...retrieve, patientId: nasty + long, patientName: nasty, reason: nasty + long, route: nasty + long, target: nasty, deviceId: nasty, source: nasty, study: nasty, serial: nasty };
    const rs = toFhirAuditEvents(row(13, 'gateway.http.request', `Radgate::User::${JSON.stringify(nasty)}`, 'failure', detail), { sourceId: nasty, siteId: nasty });
    expect(rs.length).toBe(1);
    expectValid(rs);
    const text = JSON.stringify(rs[0]);
    // One resource, whatever the strings tried to inject.
    const parsed = JSON.parse(text) as J;
    expect(parsed.resourceType).toBe('AuditEvent');
    expect(text.length).toBeLessThan(30_000);
    // No C0 control other than TAB/CR/LF, no lone surrogate, no U+2028 survives into a string.
    const strings: string[] = [];
    JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && strings.push(v), v));
    for (const s of strings) {
      expect(s).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u2028\u2029\u00a0]/);
      expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(agentOf(rs[0]!, 'IRCP')?.who ?? (rs[0]!.agent as J[])[0]!.who).toBeDefined();
    expect(entityOf(rs[0]!, '1')[0]!.what.identifier.value.length).toBeLessThanOrEqual(1024);
    // The raw request keeps its exact bytes (up to 4 KiB), base64 encoded (not for a failed read: no query entity).
    const [q] = toFhirAuditEvents(row(14, 'gateway.http.request', 'anonymous', 'success', { action: 'dicomweb.query', route: nasty + long, source: '10.0.0.1' }), SOURCE);
    expectValid([q!]);
    expect(Buffer.from(entityOf(q!, '24')[0]!.query as string, 'base64').equals(Buffer.from(nasty + long, 'utf8').subarray(0, 4096))).toBe(true);
  });

  it('gives schema-valid resources for arbitrary strings in every untrusted field (property)', () => {
    // Any code point, with the characters FHIR's string pattern trips on over-represented.
    const special = fc.constantFrom('\u0000', '\u000b', '\u000c', '\u001f', '\u2028', '\u00a0', '\u3000', '\ufeff', '\ud800', '\udc00', '"', '\\', ' ', '\t');
    const str = fc.array(fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(str, str, str, str, str, fc.constantFrom('dicomweb.retrieve', 'dicomweb.query', 'dicomweb.store', 'tunnel.connect'), (actor, patient, reason, route, source, action) => {
        const rs = toFhirAuditEvents(row(1, 'gateway.http.request', `Radgate::User::${JSON.stringify(actor)}`, 'success', { action, patientId: patient, patientIds: [patient, reason], reason, route, source, target: route, study: source }), { sourceId: reason || 'x' });
        for (const r of rs) expect(validateFhirAuditEvent(JSON.parse(JSON.stringify(r)))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
