// One readable line per audit event for `radgate audit tail`; nothing in an event can
// break the line or steer the terminal.
import type { AuditRow } from '../store/index.js';

export const MAX_DETAIL_CHARS = 400;

// C0/C1 controls (newlines, ANSI escapes) and bidi overrides could forge or hide lines.
const UNPRINTABLE_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `seq  time  type  actor  outcome  {detail}`; long details are cut at 400 characters. */
export function formatAuditEvent(row: AuditRow, maxDetailChars = MAX_DETAIL_CHARS): string {
  const detail = row.detail.length > maxDetailChars ? `${row.detail.slice(0, maxDetailChars)}…` : row.detail;
  return [String(row.seq), row.time, row.type, row.actor, row.outcome, detail].map(printable).join('  ');
}

function printable(s: string): string {
  return s.replace(UNPRINTABLE_RE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
