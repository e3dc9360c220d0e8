// Short, stable digest of a decision context, so audit records can name it without copying it.
import { canonicalJson } from './canonicalJson.js';
import { sha256Hex } from './sha256Hex.js';

/** Hex length of a context digest: 128 bits, enough to tell contexts apart in a log. */
export const CONTEXT_DIGEST_HEX_LENGTH = 32;

/** SHA-256 of the canonical JSON of `obj`, first 32 hex digits. Throws `bad-request` for non-JSON input. */
export function digestContext(obj: unknown): string {
  return sha256Hex(canonicalJson(obj)).slice(0, CONTEXT_DIGEST_HEX_LENGTH);
}
