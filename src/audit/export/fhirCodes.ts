// Coded values of radgate's FHIR R4 AuditEvents: the IHE BALP (Basic Audit Log Patterns)
// profiles' fixed codes for RESTful read, query and create, their agent types and entity
// roles, and the DICOM (DCM) event codes the ATNA exporter also uses.

export interface FhirCoding {
  system: string;
  code: string;
  display?: string;
}

export const SYSTEM = {
  auditEventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  dcm: 'http://dicom.nema.org/resources/ontology/DCM',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  /** Radgate's own event types (the radgate audit `type`). */
  radgateEventType: 'urn:radgate:audit-event-type',
  /** Identifier of a radgate audit event: its seq in the hash chain. */
  radgateAuditSeq: 'urn:radgate:audit-seq',
  radgateUser: 'urn:radgate:user',
  radgateDevice: 'urn:radgate:device',
  /** DICOM UIDs as identifiers (as in ImagingStudy.identifier). */
  dicomUid: 'urn:dicom:uid',
} as const;

const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.';
/** BALP profile canonical URLs (claimed only when every element the profile requires is present). */
export const PROFILE = {
  read: `${BALP}Read`,
  patientRead: `${BALP}PatientRead`,
  query: `${BALP}Query`,
  patientQuery: `${BALP}PatientQuery`,
  create: `${BALP}Create`,
  patientCreate: `${BALP}PatientCreate`,
} as const;

/** BALP: AuditEvent.type of every RESTful profile. */
export const REST: FhirCoding = { system: SYSTEM.auditEventType, code: 'rest', display: 'Restful Operation' };

export const INTERACTION = {
  read: { system: SYSTEM.restfulInteraction, code: 'read', display: 'read' },
  searchType: { system: SYSTEM.restfulInteraction, code: 'search-type', display: 'search-type' },
  create: { system: SYSTEM.restfulInteraction, code: 'create', display: 'create' },
} as const satisfies Record<string, FhirCoding>;

/**
 * BALP agent types. Read: the client is the Destination Role ID (data flows to it), the
 * server the Source Role ID; Query and Create: the other way round (the request flows to
 * the server), following the DICOM/IHE convention BALP states.
 */
export const AGENT = {
  sourceRole: { system: SYSTEM.dcm, code: '110153', display: 'Source Role ID' },
  destinationRole: { system: SYSTEM.dcm, code: '110152', display: 'Destination Role ID' },
  /** BALP Read/Query user: information recipient. */
  informationRecipient: { system: SYSTEM.participationType, code: 'IRCP', display: 'information recipient' },
  /** BALP Create user (DataSources value set): author. */
  author: { system: SYSTEM.participationType, code: 'AUT', display: 'author (originator)' },
  /** Any other event's requesting user: DCM 110150 Application is not a person; the human is the requestor. */
  application: { system: SYSTEM.dcm, code: '110150', display: 'Application' },
} as const satisfies Record<string, FhirCoding>;

export const ENTITY_TYPE = {
  person: { system: SYSTEM.entityType, code: '1', display: 'Person' },
  systemObject: { system: SYSTEM.entityType, code: '2', display: 'System Object' },
} as const satisfies Record<string, FhirCoding>;

export const ENTITY_ROLE = {
  patient: { system: SYSTEM.objectRole, code: '1', display: 'Patient' },
  domainResource: { system: SYSTEM.objectRole, code: '4', display: 'Domain Resource' },
  securityResource: { system: SYSTEM.objectRole, code: '13', display: 'Security Resource' },
  query: { system: SYSTEM.objectRole, code: '24', display: 'Query' },
} as const satisfies Record<string, FhirCoding>;

/** AuditEvent.source.type: 4 Application Server. */
export const SOURCE_APPLICATION_SERVER: FhirCoding = { system: SYSTEM.sourceType, code: '4', display: 'Application Server' };

/** AuditEvent.agent.network.type (R4 network-type): 1 machine name, 2 IP address. */
export const NETWORK_MACHINE_NAME = '1';
export const NETWORK_IP_ADDRESS = '2';
