// DICOM PS3.16 / PS3.15 A.5 coded values used in radgate's ATNA messages (CID 400, 401,
// 402, 403, 404) and the mapping from radgate audit event types to DICOM audit events.

export interface CodedValue {
  code: string;
  system: string;
  meaning: string;
}

const dcm = (code: string, meaning: string): CodedValue => ({ code, system: 'DCM', meaning });

export const EVENT = {
  applicationActivity: dcm('110100', 'Application Activity'),
  beginTransferring: dcm('110102', 'Begin Transferring DICOM Instances'),
  instancesAccessed: dcm('110103', 'DICOM Instances Accessed'),
  instancesTransferred: dcm('110104', 'DICOM Instances Transferred'),
  export: dcm('110106', 'Export'),
  import: dcm('110107', 'Import'),
  networkEntry: dcm('110108', 'Network Entry'),
  query: dcm('110112', 'Query'),
  securityAlert: dcm('110113', 'Security Alert'),
  userAuthentication: dcm('110114', 'User Authentication'),
} as const;

export const EVENT_TYPE = {
  applicationStart: dcm('110120', 'Application Start'),
  applicationStop: dcm('110121', 'Application Stop'),
  login: dcm('110122', 'Login'),
  logout: dcm('110123', 'Logout'),
  attach: dcm('110124', 'Attach'),
  detach: dcm('110125', 'Detach'),
  nodeAuthentication: dcm('110126', 'Node Authentication'),
  emergencyOverrideStarted: dcm('110127', 'Emergency Override Started'),
  securityConfiguration: dcm('110129', 'Security Configuration'),
  useOfRestrictedFunction: dcm('110132', 'Use of Restricted Function'),
  auditRecordingStopped: dcm('110133', 'Audit Recording Stopped'),
  userSecurityAttributesChanged: dcm('110137', 'User Security Attributes Changed'),
  remoteServiceStarted: dcm('110139', 'Remote Service Operation Started'),
  remoteServiceStopped: dcm('110140', 'Remote Service Operation Stopped'),
} as const;

export const ROLE = {
  destination: dcm('110152', 'Destination Role ID'),
  source: dcm('110153', 'Source Role ID'),
} as const;

export const ID_TYPE = {
  studyInstanceUid: dcm('110180', 'Study Instance UID'),
  sopClassUid: dcm('110181', 'SOP Class UID'),
  // RFC 3881 ParticipantObjectIDTypeCode 2: Patient Number.
  patientNumber: { code: '2', system: 'RFC-3881', meaning: 'Patient Number' } as CodedValue,
  auditEvent: { code: 'audit-event', system: 'RADGATE', meaning: 'radgate audit event' } as CodedValue,
} as const;

/** Study Root Query/Retrieve Information Model - FIND: the query object of QIDO-RS and C-FIND. */
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';

export type EventActionCode = 'C' | 'R' | 'U' | 'D' | 'E';

export interface Classification {
  event: CodedValue;
  types: CodedValue[];
  action: EventActionCode;
  /** What the data flow is, for participant roles: the user receives (read) or sends (store). */
  flow?: 'to-user' | 'from-user' | 'query';
}

const radgateType = (type: string): CodedValue => ({ code: type, system: 'RADGATE', meaning: type });

const QUERY_ACTIONS = new Set(['dicomweb.query', 'dicom.find']);
const READ_ACTIONS = new Set(['dicomweb.retrieve', 'dicom.get', 'dicom.move', 'web.access']);
const STORE_ACTIONS = new Set(['dicomweb.store', 'dicom.store']);
const USER_ATTRIBUTE_EVENTS = new Set([
  'identity.webauthn.register',
  'identity.webauthn.key.remove',
  'identity.webauthn.key.rename',
  'identity.webauthn.enrolment-code.issue',
  'identity.user.disable',
  'ca.issue',
  'ca.revoke',
  'certificate.issue',
  'service-principal.create',
]);

/**
 * Which DICOM audit event a radgate event is. `undefined`: not exported (an allowed
 * `decision` is followed by the gate's own event, which is the access record).
 */
export function classify(type: string, outcome: string, detail: Record<string, unknown>): Classification | undefined {
  const action = typeof detail.action === 'string' ? detail.action : undefined;
  if (type === 'decision') {
    if (outcome === 'allow') return undefined;
    return { event: EVENT.securityAlert, types: [EVENT_TYPE.useOfRestrictedFunction], action: 'E' };
  }
  if (type === 'identity.login' || type === 'identity.session.create' || type === 'identity.webauthn.authenticate' || type === 'identity.step-up') {
    return { event: EVENT.userAuthentication, types: [EVENT_TYPE.login], action: 'E' };
  }
  if (type === 'identity.session.end' || type === 'identity.backchannel-logout') {
    return { event: EVENT.userAuthentication, types: [EVENT_TYPE.logout], action: 'E' };
  }
  if (USER_ATTRIBUTE_EVENTS.has(type)) return { event: EVENT.securityAlert, types: [EVENT_TYPE.userSecurityAttributesChanged], action: 'E' };
  if (type === 'system.start') return { event: EVENT.applicationActivity, types: [EVENT_TYPE.applicationStart], action: 'E' };
  if (type === 'system.stop') return { event: EVENT.applicationActivity, types: [EVENT_TYPE.applicationStop], action: 'E' };
  if (type === 'device.enroll') return { event: EVENT.networkEntry, types: [EVENT_TYPE.attach], action: 'E' };
  if (type === 'device.revoke') return { event: EVENT.networkEntry, types: [EVENT_TYPE.detach], action: 'E' };
  if (type.startsWith('policy.') || type === 'device.approve') return { event: EVENT.securityAlert, types: [EVENT_TYPE.securityConfiguration], action: 'E' };
  if (type.startsWith('breakglass.')) return { event: EVENT.securityAlert, types: [EVENT_TYPE.emergencyOverrideStarted], action: 'E' };
  if (type.startsWith('gateway.tunnel.')) {
    const stop = /(close|end|cut)$/.test(type);
    return { event: EVENT.securityAlert, types: [stop ? EVENT_TYPE.remoteServiceStopped : EVENT_TYPE.remoteServiceStarted, radgateType(type)], action: 'E' };
  }
  if (type.startsWith('gateway.') && action) {
    if (QUERY_ACTIONS.has(action)) return { event: EVENT.query, types: [], action: 'E', flow: 'query' };
    if (READ_ACTIONS.has(action)) return { event: EVENT.instancesTransferred, types: [], action: 'R', flow: 'to-user' };
    if (STORE_ACTIONS.has(action)) return { event: EVENT.instancesTransferred, types: [], action: 'C', flow: 'from-user' };
  }
  if (type.startsWith('gateway.') && typeof detail.reason === 'string' && /certificate|session|device/.test(detail.reason)) {
    return { event: EVENT.securityAlert, types: [EVENT_TYPE.nodeAuthentication, radgateType(type)], action: 'E' };
  }
  if (type.startsWith('audit.export.')) return { event: EVENT.securityAlert, types: [EVENT_TYPE.auditRecordingStopped, radgateType(type)], action: 'E' };
  // Everything else (analytics alerts, session cuts, posture, CSRF, …) is a security alert
  // whose event type names the radgate event.
  return { event: EVENT.securityAlert, types: [radgateType(type)], action: 'E' };
}

/** PS3.15 A.5.1 EventOutcomeIndicator. */
export function outcomeIndicator(outcome: string): '0' | '4' | '8' | '12' {
  switch (outcome) {
    case 'success':
    case 'allow':
    case 'alert':
      return '0';
    case 'failure':
    case 'deny':
      return '4';
    default:
      return '8';
  }
}
