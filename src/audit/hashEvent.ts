// The chain's link: SHA-256 over the RFC 8785 encoding of an event and its predecessor's hash.
import type { AuditRow } from '../store/index.js';
import { sha256Hex } from './sha256Hex.js';

/** prevHash of the first event (seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: a stored row without its own hash. `detail` is canonical JSON text. */
export type HashedEventFields = Omit<AuditRow, 'hash'>;

/**
 * Canonical JSON of {seq, time, type, actor, outcome, detail, prevHash} for a fixed shape:
 * members in RFC 8785 order (actor < detail < outcome < prevHash < seq < time < type) and
 * `detail` spliced in verbatim, so the result equals `canonicalize()` of the parsed event
 * whenever `detail` is canonical (the writer guarantees it; the verifier checks it).
 */
export function eventCanonicalJson(f: HashedEventFields): string {
  return (
    '{"actor":' + quote(f.actor) +
    ',"detail":' + f.detail +
    ',"outcome":' + quote(f.outcome) +
    ',"prevHash":' + quote(f.prevHash) +
    ',"seq":' + (Number.isSafeInteger(f.seq) ? String(f.seq) : JSON.stringify(f.seq)) +
    ',"time":' + quote(f.time) +
    ',"type":' + quote(f.type) +
    '}'
  );
}

// Printable ASCII other than '"' and '\' needs no escaping (RFC 8785 3.2.2.2), so quoting
// it directly is what JSON.stringify would return, at about half the cost.
const PLAIN_ASCII_RE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
function quote(s: string): string {
  return typeof s === 'string' && PLAIN_ASCII_RE.test(s) ? '"' + s + '"' : JSON.stringify(s);
}

/** The event's `hash`: SHA-256 hex of its canonical JSON. */
export function hashEvent(f: HashedEventFields): string {
  return sha256Hex(eventCanonicalJson(f));
}
