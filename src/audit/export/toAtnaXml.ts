// One radgate audit event as a DICOM PS3.15 A.5 audit message (XML): event
// identification, active participants (user, device, gateway), the audit source, and
// participant objects (study, patient where known, query, and the radgate event itself
// with its seq and hash so a collector can drop duplicates).
//
// Schema edition note: the PS3.15 A.5.1 schema edition the tests validate against
// requires ParticipantObjectName or ParticipantObjectQuery in every participant object and
// originalText on every coded value, so both are always written (later editions made
// them optional; these messages validate against either).
import { isIP } from 'node:net';
import type { AuditRow } from '../../store/index.js';
import { classify, ID_TYPE, outcomeIndicator, ROLE, STUDY_ROOT_FIND, type Classification, type CodedValue } from './atnaCodes.js';
import { eventFacts, type EventFacts } from './eventFacts.js';
import { attr, text, token } from './xmlText.js';

export interface AtnaSource {
  /** AuditSourceID: this broker (e.g. its host name). */
  sourceId: string;
  /** AuditEnterpriseSiteID, when configured. */
  siteId?: string;
}

export interface AtnaMessage {
  seq: number;
  eventId: string;
  /** RFC 5424 severity: 4 (warning) for security alerts, else 5 (notice). */
  severity: 4 | 5;
  xml: string;
}

/** Longest query kept (bytes before base64). */
export const MAX_QUERY = 4096;
/** Detail fields carried with the radgate event itself (ATNA ParticipantObjectDetail, FHIR entity.detail). */
export const DETAIL_KEYS = ['reason', 'cause', 'status', 'route', 'target', 'kind', 'alertId', 'score'] as const;

/** The message for one stored event, or undefined when the event is not exported (see classify). */
export function toAtnaMessage(row: AuditRow, source: AtnaSource): AtnaMessage | undefined {
  const f = eventFacts(row);
  const c = classify(f.type, f.outcome, f.detail);
  if (!c) return undefined;
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?><AuditMessage>'];
  parts.push(eventIdentification(f, c));
  parts.push(...activeParticipants(f, c, source));
  parts.push(`<AuditSourceIdentification${source.siteId ? ` AuditEnterpriseSiteID="${token(source.siteId)}"` : ''} AuditSourceID="${token(source.sourceId)}"><AuditSourceTypeCode csd-code="4"/></AuditSourceIdentification>`);
  parts.push(...participantObjects(f, c));
  parts.push('</AuditMessage>');
  return { seq: f.seq, eventId: c.event.code, severity: c.event.code === '110113' ? 4 : 5, xml: parts.join('') };
}

function coded(name: string, v: CodedValue): string {
  return `<${name} csd-code="${token(v.code)}" codeSystemName="${token(v.system)}" originalText="${token(v.meaning)}"/>`;
}

function eventIdentification(f: EventFacts, c: Classification): string {
  const when = Number.isNaN(Date.parse(f.time)) ? new Date(0).toISOString() : new Date(f.time).toISOString();
  let s = `<EventIdentification EventActionCode="${c.action}" EventDateTime="${when}" EventOutcomeIndicator="${outcomeIndicator(f.outcome)}">`;
  s += coded('EventID', c.event);
  for (const t of c.types) s += coded('EventTypeCode', t);
  if (f.reason) s += `<EventOutcomeDescription>${text(f.reason)}</EventOutcomeDescription>`;
  return s + '</EventIdentification>';
}

function activeParticipants(f: EventFacts, c: Classification, source: AtnaSource): string[] {
  const out: string[] = [];
  const userRole = c.flow === 'to-user' ? ROLE.destination : c.flow === 'from-user' ? ROLE.source : undefined;
  const gatewayRole = c.flow === 'to-user' ? ROLE.source : c.flow === 'from-user' ? ROLE.destination : undefined;
  const userId = f.userId ?? f.actor;
  let user = `<ActiveParticipant UserID="${attr(userId)}" UserIsRequestor="true"`;
  if (f.source && isIP(f.source)) user += ` NetworkAccessPointID="${token(f.source)}" NetworkAccessPointTypeCode="2"`;
  out.push(user + (userRole ? `>${coded('RoleIDCode', userRole)}</ActiveParticipant>` : '/>'));
  if (f.deviceId) {
    const alt = f.serial ? ` AlternativeUserID="${attr(`serial:${f.serial}`)}"` : '';
    out.push(`<ActiveParticipant UserID="${attr(`device:${f.deviceId}`)}"${alt} UserIsRequestor="false"/>`);
  }
  if (f.type.startsWith('gateway.') || c.flow) {
    const gw = f.target ? `${source.sourceId}/${f.target}` : source.sourceId;
    out.push(
      `<ActiveParticipant UserID="${attr(gw)}" UserIsRequestor="false" NetworkAccessPointID="${token(source.sourceId)}" NetworkAccessPointTypeCode="1"` +
        (gatewayRole ? `>${coded('RoleIDCode', gatewayRole)}</ActiveParticipant>` : '/>'),
    );
  }
  return out;
}

function participantObjects(f: EventFacts, c: Classification): string[] {
  const out: string[] = [];
  if (f.study) {
    out.push(
      `<ParticipantObjectIdentification ParticipantObjectID="${token(f.study)}" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3">` +
        `${coded('ParticipantObjectIDTypeCode', ID_TYPE.studyInstanceUid)}<ParticipantObjectName>${text(f.study)}</ParticipantObjectName></ParticipantObjectIdentification>`,
    );
  }
  if (f.patientId) {
    out.push(
      `<ParticipantObjectIdentification ParticipantObjectID="${token(f.patientId)}" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1">` +
        `${coded('ParticipantObjectIDTypeCode', ID_TYPE.patientNumber)}<ParticipantObjectName>${text(f.patientName ?? f.patientId)}</ParticipantObjectName></ParticipantObjectIdentification>`,
    );
  }
  if (c.flow === 'query') {
    const q = Buffer.from(f.query ?? (typeof f.detail.route === 'string' ? f.detail.route : ''), 'utf8').subarray(0, MAX_QUERY);
    out.push(
      `<ParticipantObjectIdentification ParticipantObjectID="${STUDY_ROOT_FIND}" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="24">` +
        `${coded('ParticipantObjectIDTypeCode', ID_TYPE.sopClassUid)}<ParticipantObjectQuery>${q.toString('base64')}</ParticipantObjectQuery></ParticipantObjectIdentification>`,
    );
  }
  // The radgate event itself: seq and hash tie the message to the hash chain.
  let ev =
    `<ParticipantObjectIdentification ParticipantObjectID="radgate-audit:${f.seq}" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="13">` +
    `${coded('ParticipantObjectIDTypeCode', ID_TYPE.auditEvent)}<ParticipantObjectName>${text(f.type)}</ParticipantObjectName>`;
  ev += valuePair('seq', String(f.seq)) + valuePair('hash', f.hash) + valuePair('actor', f.actor);
  for (const k of DETAIL_KEYS) {
    const v = f.detail[k];
    if (typeof v === 'string' || typeof v === 'number') ev += valuePair(k, String(v));
  }
  out.push(ev + '</ParticipantObjectIdentification>');
  return out;
}

/** ParticipantObjectDetail: the value base64 encoded, so any bytes survive (A.5.1 ValuePair). */
function valuePair(type: string, value: string): string {
  return `<ParticipantObjectDetail type="${token(type)}" value="${Buffer.from(value.slice(0, 1024), 'utf8').toString('base64')}"/>`;
}
