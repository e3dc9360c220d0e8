// Audit search parameters from a query string: every field validated and bounded (time
// range at most 92 days, page at most 200), unknown or repeated parameters refused, values
// only ever bound as SQL parameters. Pure: `now` comes from the caller.
import { AUDIT_OUTCOMES } from '../audit/index.js';
import type { AuditSearchQuery } from '../store/index.js';
import { AdminError } from './AdminError.js';

export interface AuditQueryInput {
  since: string;
  until: string;
  actor?: string;
  type?: string;
  action?: string;
  outcome?: string;
  study?: string;
  target?: string;
  before?: number;
  limit: number;
}

export const MAX_RANGE_DAYS = 92;
export const MAX_PAGE = 200;
const KNOWN = new Set(['user', 'type', 'action', 'outcome', 'study', 'target', 'since', 'until', 'before', 'limit', 'format']);
const DOTTED = /^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;
const UID = /^[0-9]+(?:\.[0-9]+)*$/;
const TARGET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** `params`: every value of every key (repeats are refused). */
export function parseAuditQuery(params: Record<string, string[]>, now: number): AuditQueryInput {
  const one = (k: string): string | undefined => {
    const v = params[k];
    if (v === undefined) return undefined;
    if (v.length !== 1) bad(`${k}: give it once`);
    const s = v[0]!.trim();
    return s === '' ? undefined : s;
  };
  for (const k of Object.keys(params)) if (!KNOWN.has(k)) bad(`unknown parameter "${k.slice(0, 40)}"`);
  const until = time(one('until'), 'until') ?? now;
  const since = time(one('since'), 'since') ?? until - 86_400_000;
  if (since >= until) bad('since must be before until');
  if (until - since > MAX_RANGE_DAYS * 86_400_000) bad(`the time range is at most ${MAX_RANGE_DAYS} days`);
  const out: AuditQueryInput = { since: new Date(since).toISOString(), until: new Date(until).toISOString(), limit: 50 };
  const user = one('user');
  if (user !== undefined) {
    if (user.length > 128 || CONTROL.test(user)) bad('user: at most 128 printable characters');
    out.actor = user === 'system' || user.startsWith('Radgate::') ? user : `Radgate::User::${JSON.stringify(user)}`;
  }
  const type = one('type');
  if (type !== undefined) out.type = match(type, DOTTED, 128, 'type: a dotted event type like decision or policy.activate');
  const action = one('action');
  if (action !== undefined) out.action = match(action, DOTTED, 64, 'action: a dotted action like dicomweb.retrieve');
  const outcome = one('outcome');
  if (outcome !== undefined) {
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) bad(`outcome: one of ${AUDIT_OUTCOMES.join(', ')}`);
    out.outcome = outcome;
  }
  const study = one('study');
  if (study !== undefined) out.study = match(study, UID, 64, 'study: a DICOM UID (digits and dots, at most 64)');
  const target = one('target');
  if (target !== undefined) out.target = match(target, TARGET, 64, 'target: a target name (letters, digits, . _ -)');
  const before = one('before');
  if (before !== undefined) {
    if (!/^[1-9][0-9]{0,14}$/.test(before)) bad('before: a positive event number');
    out.before = Number(before);
  }
  const limit = one('limit');
  if (limit !== undefined) {
    if (!/^[0-9]{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE) bad(`limit: 1-${MAX_PAGE}`);
    out.limit = Number(limit);
  }
  return out;
}

/** The store query for a parsed input over seq range [fromSeq, toSeq]. */
export function toSearch(q: AuditQueryInput, fromSeq: number, toSeq: number, limit = q.limit): AuditSearchQuery {
  const contains: (string | string[])[] = [];
  // In canonical JSON a uid string `Radgate::Study::"1.2"` is stored as `Radgate::Study::\"1.2\"`.
  if (q.study) contains.push([`\\"${q.study}\\"`, `"${q.study}"`]);
  if (q.target) contains.push([`Radgate::Target::\\"${q.target}\\"`, `"target":"${q.target}"`]);
  return {
    fromSeq,
    toSeq,
    ...(q.actor ? { actor: q.actor } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(contains.length ? { detailContains: contains } : {}),
    ...(q.before ? { beforeSeq: q.before } : {}),
    limit,
  };
}

function time(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (v.length > 40 || !DATE.test(v)) bad(`${name}: a date like 2025-03-01 or 2025-03-01T08:00Z`);
  const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v.replace(' ', 'T'));
  if (!Number.isFinite(t) || t < Date.UTC(2000, 0, 1) || t > Date.UTC(2100, 0, 1)) bad(`${name}: not a valid date between 2000 and 2100`);
  return t;
}

function match(v: string, re: RegExp, max: number, message: string): string {
  if (v.length > max || !re.test(v)) bad(message);
  return v;
}

function bad(message: string): never {
  throw new AdminError('bad-query', { message: `audit search: ${message}` });
}
