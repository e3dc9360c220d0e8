// ATNA mapping: every radgate event kind becomes a PS3.15 A.5 message that validates
// against the A.5.1 schema with xmllint, hostile strings included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toAtnaMessage } from '../../../src/audit/export/toAtnaXml.js';
import { octetFrame, parseOctetFrames, parseSyslogMessage, syslogMessage } from '../../../src/audit/export/syslogFrame.js';
import type { AuditRow } from '../../../src/store/index.js';
import { IN_CI, rsyslogAvailable, validateAtnaXml } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'radgate-atna-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = { sourceId: 'radgate-test', siteId: 'st-mary' };

let seq = 0;
const row = (type: string, outcome: string, detail: Record<string, unknown>, actor = 'Radgate::User::"alice"'): AuditRow => ({
  seq: ++seq,
  time: '2026-03-04T10:11:12.345Z',
  type,
  actor,
  outcome,
  detail: JSON.stringify(detail),
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
});

const attrOf = (xml: string, el: string, name: string) => new RegExp(`<${el}[^>]*\\b${name}="([^"]*)"`).exec(xml)?.[1];

describe.skipIf(!rsyslogAvailable() && !IN_CI)('ATNA messages (PS3.15 A.5, validated with xmllint --relaxng)', () => {
  const cases: [string, AuditRow, string, string | undefined][] = [
    ['sign-in', row('identity.login', 'success', { idp: 'corp', subject: 's1' }), '110114', '110122'],
    ['failed sign-in', row('identity.login', 'failure', { reason: 'state-mismatch' }, 'anonymous'), '110114', '110122'],
    ['logout', row('identity.session.end', 'success', { sessionId: 's' }), '110114', '110123'],
    ['QIDO query', row('gateway.http.request', 'success', { target: 'pacs-rad', action: 'dicomweb.query', route: '/studies', source: '10.1.2.3', deviceId: 'd1', serial: 'AB' }), '110112', undefined],
    ['WADO retrieve', row('gateway.http.request', 'success', { target: 'pacs-rad', action: 'dicomweb.retrieve', study: '1.2.840.113619.2.55.3', patientId: 'PAT-7', bytes: 1234 }), '110104', undefined],
    ['STOW store', row('gateway.http.request', 'deny', { target: 'pacs-rad', action: 'dicomweb.store', study: '1.2.3', reason: 'policy-denied' }), '110104', undefined],
    ['denied decision', row('decision', 'deny', { action: 'dicomweb.retrieve', resource: 'Radgate::Study::"1.2.3.4"', reasons: ['posture-stale'] }), '110113', '110132'],
    ['certificate issue', row('certificate.issue', 'success', { serial: '01AF', deviceId: 'd1' }), '110113', '110137'],
    ['device enrolment', row('device.enroll', 'success', { deviceId: 'd9' }), '110108', '110124'],
    ['session cut', row('gateway.session.cut', 'deny', { cause: 'certificate-revoked:keyCompromise', target: 'pacs-rad' }), '110113', 'gateway.session.cut'],
    ['start', row('system.start', 'success', { url: 'https://localhost:1' }, 'system'), '110100', '110120'],
    ['behavioural alert', row('analytics.alert', 'alert', { kind: 'volume-spike', alertId: 'a1', score: 60 }, 'system'), '110113', 'analytics.alert'],
  ];

  it.each(cases)('maps a %s to a valid message with the right EventID and type', (_name, r, eventId, typeCode) => {
    const m = toAtnaMessage(r, source)!;
    expect(m.eventId).toBe(eventId);
    expect(attrOf(m.xml, 'EventID', 'csd-code')).toBe(eventId);
    if (typeCode) expect(attrOf(m.xml, 'EventTypeCode', 'csd-code')).toBe(typeCode);
    expect(validateAtnaXml(m.xml, dir)).toBe('');
    // The seq ties the message to the chain.
    expect(m.xml).toContain(`ParticipantObjectID="radgate-audit:${r.seq}"`);
  });

  it('names the study (110180), the patient (RFC-3881 code 2) and the user\'s network address', () => {
    const m = toAtnaMessage(row('gateway.http.request', 'success', { target: 't', action: 'dicomweb.retrieve', study: '1.2.3', patientId: 'P1', source: '10.0.0.9' }), source)!;
    expect(m.xml).toMatch(/ParticipantObjectID="1\.2\.3" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3"><ParticipantObjectIDTypeCode csd-code="110180"/);
    expect(m.xml).toMatch(/ParticipantObjectID="P1" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1"><ParticipantObjectIDTypeCode csd-code="2" codeSystemName="RFC-3881"/);
    expect(m.xml).toContain('NetworkAccessPointID="10.0.0.9" NetworkAccessPointTypeCode="2"');
    expect(m.xml).toMatch(/UserID="alice" UserIsRequestor="true"[^>]*><RoleIDCode csd-code="110152"/);
  });

  it('carries a query base64 encoded (110181)', () => {
    const m = toAtnaMessage(row('gateway.http.request', 'success', { target: 't', action: 'dicomweb.query', query: 'PatientID=<x>&limit=10' }), source)!;
    const q = /<ParticipantObjectQuery>([^<]*)<\/ParticipantObjectQuery>/.exec(m.xml)![1]!;
    expect(Buffer.from(q, 'base64').toString()).toBe('PatientID=<x>&limit=10');
  });

  it('does not export an allowed decision (the gate\'s own event is the access record)', () => {
    expect(toAtnaMessage(row('decision', 'allow', { action: 'dicomweb.query' }), source)).toBeUndefined();
  });

  it('escapes hostile strings, replaces control characters and bounds very long values', () => {
    const hostile = `"><script>&amp;\u0000\u0001\u0007\u001b[31m\uFFFE\uD800 ]]><!--\t\r\nx` + 'Z'.repeat(100_000);
    const r = row('gateway.http.request', 'deny', { target: hostile, action: 'dicomweb.retrieve', study: hostile, patientId: hostile, reason: hostile, source: hostile, deviceId: hostile, serial: hostile }, `Radgate::User::${JSON.stringify(hostile)}`);
    const m = toAtnaMessage(r, source)!;
    expect(validateAtnaXml(m.xml, dir)).toBe('');
    expect(m.xml).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex
    expect(m.xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\n\r\t]/);
    expect(m.xml.length).toBeLessThan(20_000);
  });

  it('produces schema-valid XML for arbitrary detail strings (property, 40 runs through xmllint)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 50 }), (s, t) => {
        const m = toAtnaMessage(row('gateway.http.request', 'success', { target: s, action: 'dicomweb.query', query: s, study: t || '1', reason: s }, `Radgate::User::${JSON.stringify(t)}`), source)!;
        return validateAtnaXml(m.xml, dir) === '';
      }),
      { numRuns: 40 },
    );
  });
});

describe('RFC 5424 message and RFC 6587 octet-counted frames', () => {
  it('round-trips a message with the ATNA MSGID, the seq in structured data and a BOM before the XML', () => {
    const msg = syslogMessage({ hostname: 'host one', appName: 'radgate', procId: '42' }, { severity: 5, time: '2026-01-02T03:04:05.678Z', seq: 77, msg: '<AuditMessage>é</AuditMessage>' });
    expect(msg.startsWith('<85>1 2026-01-02T03:04:05.678Z hostone radgate 42 IHE+RFC-3881 [radgate@32473 seq="77"] \uFEFF<AuditMessage>')).toBe(true);
    const frame = octetFrame(msg);
    const len = Number(frame.subarray(0, frame.indexOf(0x20)).toString());
    expect(len).toBe(Buffer.byteLength(msg));
    const { frames, rest } = parseOctetFrames(Buffer.concat([frame, frame.subarray(0, 10)]));
    expect(frames).toEqual([msg]);
    expect(rest.length).toBe(10);
    expect(parseSyslogMessage(frames[0]!)).toMatchObject({ pri: 85, msgId: 'IHE+RFC-3881', seq: 77, msg: '<AuditMessage>é</AuditMessage>' });
  });

  it('refuses malformed frame lengths', () => {
    expect(() => parseOctetFrames(Buffer.from('0 x'))).toThrow(/bad length/);
    expect(() => parseOctetFrames(Buffer.from('12a <85>'))).toThrow(/bad length/);
    expect(() => parseOctetFrames(Buffer.from('999999999 x'))).toThrow();
    expect(() => parseOctetFrames(Buffer.from('123456789012345'))).toThrow(/too long/);
    expect(parseSyslogMessage('not syslog')).toBeUndefined();
  });
});
