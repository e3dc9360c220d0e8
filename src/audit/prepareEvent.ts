// Checks an event before it is accepted: bad input is refused here, so nothing half-valid
// is ever written and the writer's batch cannot fail on one caller's mistake.
import { RadgateError, isRadgateError } from '../errors/index.js';
import { canonicalJson } from './canonicalJson.js';
import type { AuditEventInput, AuditOutcome } from './types.js';

/** An accepted event, not yet sequenced: every field is already in its stored form. */
export interface PreparedEvent {
  time: string;
  type: string;
  actor: string;
  outcome: AuditOutcome;
  /** Canonical JSON (RFC 8785) of the detail object. */
  detail: string;
}

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'allow', 'deny', 'alert', 'error'];
const outcomes = new Set<string>(AUDIT_OUTCOMES);

export const MAX_TYPE_LENGTH = 128;
export const MAX_ACTOR_LENGTH = 512;
/** Upper bound of a detail's canonical JSON, in UTF-8 bytes. */
export const MAX_DETAIL_BYTES = 64 * 1024;

// Dotted identifiers: `decision`, `ca.issue`, `gateway.http.request`.
const TYPE_RE = /^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;
// Control characters would forge lines in `audit tail` and syslog exports; lone surrogates
// cannot be stored as UTF-8 unchanged, so the stored text would no longer match its hash.
const UNSAFE_TEXT_RE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

export function prepareEvent(input: AuditEventInput, now: () => Date): PreparedEvent {
  if (typeof input !== 'object' || input === null) throw invalid('the event must be an object');
  const { type, actor, outcome, detail, time } = input;
  if (typeof type !== 'string' || type.length === 0) throw invalid('type must be a non-empty string');
  if (type.length > MAX_TYPE_LENGTH || !TYPE_RE.test(type)) throw invalid(`type must be a dotted name of at most ${MAX_TYPE_LENGTH} characters`);
  if (typeof actor !== 'string' || actor.length === 0) throw invalid('actor must be a non-empty string');
  if (actor.length > MAX_ACTOR_LENGTH || UNSAFE_TEXT_RE.test(actor)) {
    throw invalid(`actor must be at most ${MAX_ACTOR_LENGTH} characters without control characters`);
  }
  if (typeof outcome !== 'string' || !outcomes.has(outcome)) throw invalid(`outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);

  let detailJson = '{}';
  if (detail !== undefined) {
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw invalid('detail must be a JSON object');
    try {
      detailJson = canonicalJson(detail);
    } catch (err) {
      throw invalid(`detail: ${isRadgateError(err) ? err.message : String(err)}`);
    }
    if (detailJson.length > MAX_DETAIL_BYTES / 3 && Buffer.byteLength(detailJson) > MAX_DETAIL_BYTES) {
      throw invalid(`detail is larger than ${MAX_DETAIL_BYTES} bytes`);
    }
  }

  const at = time === undefined ? now() : time;
  if (!(at instanceof Date)) throw invalid('time must be a Date');
  const ms = at.getTime();
  // RFC 3339 needs a four-digit year; toISOString is UTC with milliseconds.
  if (!Number.isFinite(ms) || ms < -62_167_219_200_000 || ms > 253_402_300_799_999) throw invalid('time must be a valid date in years 0000-9999');

  return { time: isoTime(ms), type, actor, outcome: outcome as AuditOutcome, detail: detailJson };
}

// Appends arrive many per millisecond: format each millisecond once.
let cachedMs = Number.NaN;
let cachedIso = '';
function isoTime(ms: number): string {
  if (ms !== cachedMs) {
    cachedIso = new Date(ms).toISOString();
    cachedMs = ms;
  }
  return cachedIso;
}

function invalid(why: string): RadgateError {
  return new RadgateError('bad-request', `audit event rejected: ${why}`);
}
