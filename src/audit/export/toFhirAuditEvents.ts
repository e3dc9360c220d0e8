// One radgate audit event as FHIR R4 AuditEvent resources following IHE BALP: one
// resource per patient where patients are known (BALP PatientRead/PatientQuery/
// PatientCreate), else one. Gateway reads, queries and stores use BALP's RESTful codes
// (type rest, restful-interaction subtype, client/server/user agents); every other event
// keeps its DICOM event code (as the ATNA exporter classifies it). The radgate event
// itself rides as an entity (seq and hash) so a receiver can drop duplicates.
import { isIP } from 'node:net';
import type { AuditRow } from '../../store/index.js';
import { classify, outcomeIndicator, type CodedValue } from './atnaCodes.js';
import { eventFacts, type EventFacts } from './eventFacts.js';
import { AGENT, ENTITY_ROLE, ENTITY_TYPE, INTERACTION, NETWORK_IP_ADDRESS, NETWORK_MACHINE_NAME, PROFILE, REST, SOURCE_APPLICATION_SERVER, SYSTEM, type FhirCoding } from './fhirCodes.js';
import { fhirCode, fhirString } from './fhirText.js';
import { DETAIL_KEYS, MAX_QUERY } from './toAtnaXml.js';

export interface FhirSource {
  /** AuditEvent.source.observer: this broker. */
  sourceId: string;
  siteId?: string;
}

/** A FHIR R4 AuditEvent as plain JSON. */
export type FhirAuditEvent = { resourceType: 'AuditEvent'; id: string } & Record<string, unknown>;

/** Most patients one event fans out to (the rest of a longer list is not exported separately). */
export const MAX_PATIENTS = 1000;

type Kind = 'read' | 'query' | 'create';
type Json = Record<string, unknown>;

const DICOM_UID = /^[0-9]+(\.[0-9]+)*$/;

/** The resources for one stored event ([] when the event is not exported, see classify). */
export function toFhirAuditEvents(row: AuditRow, source: FhirSource): FhirAuditEvent[] {
  const f = eventFacts(row);
  const c = classify(f.type, f.outcome, f.detail);
  if (!c) return [];
  const kind: Kind | undefined = c.flow === 'query' ? 'query' : c.flow === 'to-user' ? 'read' : c.flow === 'from-user' ? 'create' : undefined;
  const outcome = outcomeIndicator(f.outcome);
  const radgateType = coding({ system: SYSTEM.radgateEventType, code: f.type });

  const base: Json = {};
  base.type = kind ? REST : dcm(c.event);
  const subtype: Json[] = kind ? [INTERACTION[kind === 'query' ? 'searchType' : kind], dcm(c.event)] : c.types.map(dcm);
  if (radgateType && !subtype.some((s) => s.system === SYSTEM.radgateEventType)) subtype.push(radgateType);
  base.subtype = subtype;
  base.action = c.action;
  base.recorded = instant(f.time);
  base.outcome = outcome;
  const desc = fhirString(f.reason);
  if (desc) base.outcomeDesc = desc;

  const user = userAgent(f, kind);
  const client = clientAgent(f, kind);
  const server = f.type.startsWith('gateway.') || kind ? serverAgent(f, kind, source) : undefined;
  base.agent = [user, ...(client ? [client] : []), ...(server ? [server] : [])];
  base.source = {
    ...(source.siteId ? { site: fhirString(source.siteId) } : {}),
    observer: { identifier: { value: fhirString(source.sourceId) ?? '-' }, display: fhirString(source.sourceId) ?? '-' },
    type: [SOURCE_APPLICATION_SERVER],
  };

  const common: Json[] = [];
  const data = kind === 'read' || kind === 'create' ? studyEntity(f) : undefined;
  if (data) common.push(data);
  if (kind === 'query') common.push(queryEntity(f));
  common.push(radgateEntity(f));

  const patients = patientsOf(f);
  // BALP profiles fix outcome 0 (failures are recorded differently) and require the client
  // and server agents with their network addresses, and the data (read/create) entity.
  const balp = kind !== undefined && outcome === '0' && client?.network !== undefined && server !== undefined && (kind === 'query' || data !== undefined);
  const profile = (withPatient: boolean): string | undefined => {
    if (!balp) return undefined;
    if (kind === 'read') return withPatient ? PROFILE.patientRead : PROFILE.read;
    if (kind === 'query') return withPatient ? PROFILE.patientQuery : PROFILE.query;
    return withPatient ? PROFILE.patientCreate : PROFILE.create;
  };
  const make = (id: string, patient: Json | undefined): FhirAuditEvent => {
    const p = profile(patient !== undefined);
    return { resourceType: 'AuditEvent', id, ...(p ? { meta: { profile: [p] } } : {}), ...base, entity: patient ? [patient, ...common] : common };
  };
  if (patients.length === 0) return [make(`rg-${f.seq}`, undefined)];
  if (patients.length === 1) return [make(`rg-${f.seq}`, patientEntity(f, patients[0]!))];
  return patients.map((p, i) => make(`rg-${f.seq}-${i + 1}`, patientEntity(f, p)));
}

function coding(c: FhirCoding): Json | undefined {
  const code = fhirCode(c.code);
  if (!code) return undefined;
  const display = fhirString(c.display);
  return { system: c.system, code, ...(display ? { display } : {}) };
}

/** An ATNA coded value (system DCM or RADGATE) as a FHIR Coding. */
function dcm(v: CodedValue): Json {
  const system = v.system === 'DCM' ? SYSTEM.dcm : SYSTEM.radgateEventType;
  return coding({ system, code: v.code, display: v.meaning }) ?? { system };
}

function instant(time: string): string {
  const t = Date.parse(time);
  return new Date(Number.isNaN(t) ? 0 : t).toISOString();
}

function userAgent(f: EventFacts, kind: Kind | undefined): Json {
  const who = f.userId !== undefined ? { identifier: { system: SYSTEM.radgateUser, value: fhirString(f.userId) ?? '-' } } : { identifier: { value: fhirString(f.actor) ?? '-' } };
  const type = kind === 'create' ? AGENT.author : kind ? AGENT.informationRecipient : undefined;
  const name = fhirString(f.userId ?? f.actor);
  return { ...(type ? { type: { coding: [type] } } : {}), who, ...(name ? { name } : {}), requestor: true };
}

/** The caller's device (or, without one, its network address): BALP's client agent. */
function clientAgent(f: EventFacts, kind: Kind | undefined): Json | undefined {
  if (!f.deviceId && !f.source) return undefined;
  const type = kind === 'read' ? AGENT.destinationRole : kind ? AGENT.sourceRole : undefined;
  const who = f.deviceId ? { identifier: { system: SYSTEM.radgateDevice, value: fhirString(f.deviceId) ?? '-' } } : { identifier: { value: fhirString(f.source) ?? '-' } };
  const altId = f.serial ? fhirString(`serial:${f.serial}`) : undefined;
  const address = f.source ? fhirString(f.source, 256) : undefined;
  return {
    ...(type ? { type: { coding: [type] } } : {}),
    who,
    ...(altId ? { altId } : {}),
    requestor: false,
    ...(address ? { network: { address, type: isIP(f.source!) ? NETWORK_IP_ADDRESS : NETWORK_MACHINE_NAME } } : {}),
  };
}

/** The gateway (this broker, per target): BALP's server agent. */
function serverAgent(f: EventFacts, kind: Kind | undefined, source: FhirSource): Json {
  const type = kind === 'read' ? AGENT.sourceRole : kind ? AGENT.destinationRole : undefined;
  const id = fhirString(f.target ? `${source.sourceId}/${f.target}` : source.sourceId) ?? '-';
  return {
    ...(type ? { type: { coding: [type] } } : {}),
    who: { identifier: { value: id }, display: id },
    requestor: false,
    network: { address: fhirString(source.sourceId, 256) ?? '-', type: NETWORK_MACHINE_NAME },
  };
}

function patientsOf(f: EventFacts): string[] {
  const out = new Set<string>();
  if (f.patientId) out.add(f.patientId);
  const many = f.detail.patientIds;
  if (Array.isArray(many)) for (const p of many) if (typeof p === 'string' && p.length > 0 && out.size < MAX_PATIENTS) out.add(p);
  return [...out];
}

function patientEntity(f: EventFacts, patientId: string): Json {
  const display = f.patientId === patientId ? fhirString(f.patientName) : undefined;
  return {
    what: { type: 'Patient', identifier: { value: fhirString(patientId) ?? '-' }, ...(display ? { display } : {}) },
    type: ENTITY_TYPE.person,
    role: ENTITY_ROLE.patient,
  };
}

function studyEntity(f: EventFacts): Json | undefined {
  if (!f.study) return undefined;
  const value = DICOM_UID.test(f.study) && f.study.length <= 64 ? `urn:oid:${f.study}` : (fhirString(f.study) ?? '-');
  return { what: { type: 'ImagingStudy', identifier: { system: SYSTEM.dicomUid, value } }, type: ENTITY_TYPE.systemObject, role: ENTITY_ROLE.domainResource };
}

/** BALP Query: the raw request base64 encoded (exactly what was asked, hostile or not). */
function queryEntity(f: EventFacts): Json {
  const raw = f.query ?? (typeof f.detail.route === 'string' ? f.detail.route : '');
  const description = fhirString(raw);
  return {
    type: ENTITY_TYPE.systemObject,
    role: ENTITY_ROLE.query,
    ...(description ? { description } : {}),
    query: Buffer.from(raw, 'utf8').subarray(0, MAX_QUERY).toString('base64'),
  };
}

function radgateEntity(f: EventFacts): Json {
  const detail: Json[] = [
    { type: 'hash', valueString: f.hash },
    { type: 'actor', valueString: fhirString(f.actor) ?? '-' },
  ];
  for (const k of DETAIL_KEYS) {
    const v = f.detail[k];
    const s = typeof v === 'string' ? fhirString(v) : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    if (s) detail.push({ type: k, valueString: s });
  }
  return {
    what: { identifier: { system: SYSTEM.radgateAuditSeq, value: String(f.seq) } },
    type: ENTITY_TYPE.systemObject,
    role: ENTITY_ROLE.securityResource,
    name: fhirString(f.type) ?? '-',
    detail,
  };
}
