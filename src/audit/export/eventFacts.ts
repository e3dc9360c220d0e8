// The facts exporters and analytics read from one stored audit row: who, from where, what
// (study, patient, query, target), how it ended. Detail fields are untrusted JSON: each is
// taken only when it has the expected type.
import type { AuditRow } from '../../store/index.js';

export interface EventFacts {
  seq: number;
  hash: string;
  /** ISO 8601 time as stored. */
  time: string;
  type: string;
  outcome: string;
  actor: string;
  /** Set when the actor is `Radgate::User::"<id>"`. */
  userId?: string;
  detail: Record<string, unknown>;
  action?: string;
  target?: string;
  study?: string;
  patientId?: string;
  patientName?: string;
  /** Source network address of the caller. */
  source?: string;
  deviceId?: string;
  serial?: string;
  query?: string;
  reason?: string;
  bytes?: number;
  grantId?: string;
}

const USER_ACTOR = /^Radgate::User::("(?:[^"\\]|\\.)*")$/;
const STUDY_RESOURCE = /^Radgate::Study::("(?:[^"\\]|\\.)*")$/;

export function parseEntityId(uid: string, re: RegExp): string | undefined {
  const m = re.exec(uid);
  if (!m) return undefined;
  try {
    const id = JSON.parse(m[1]!) as unknown;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The user id in a `Radgate::User::"id"` actor, else undefined. */
export function actorUserId(actor: string): string | undefined {
  return parseEntityId(actor, USER_ACTOR);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function eventFacts(row: AuditRow): EventFacts {
  let detail: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.detail) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) detail = parsed as Record<string, unknown>;
  } catch {
    // A detail that does not parse is exported without its facts (verify reports it).
  }
  const facts: EventFacts = { seq: row.seq, hash: row.hash, time: row.time, type: row.type, outcome: row.outcome, actor: row.actor, detail };
  const userId = actorUserId(row.actor);
  if (userId !== undefined) facts.userId = userId;
  const set = <K extends keyof EventFacts>(k: K, v: EventFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  set('action', str(detail.action));
  set('target', str(detail.target));
  set('study', str(detail.study) ?? (typeof detail.resource === 'string' ? parseEntityId(detail.resource, STUDY_RESOURCE) : undefined));
  set('patientId', str(detail.patientId));
  set('patientName', str(detail.patientName));
  set('source', str(detail.source) ?? str((detail.network as { source?: unknown } | undefined)?.source));
  set('deviceId', str(detail.deviceId));
  set('serial', str(detail.serial));
  set('query', str(detail.query));
  set('reason', str(detail.reason) ?? str(detail.cause) ?? (Array.isArray(detail.reasons) ? detail.reasons.filter((r) => typeof r === 'string').join(',') || undefined : undefined));
  set('bytes', typeof detail.bytes === 'number' && Number.isFinite(detail.bytes) && detail.bytes >= 0 ? detail.bytes : undefined);
  set('grantId', str(detail.grantId));
  return facts;
}
