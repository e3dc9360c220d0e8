// Distinguished names the CA writes: RDNSequence of single-attribute RDNs, UTF8String
// values (RFC 5280 4.1.2.6), most significant first.
import { sequence, setOf, utf8String } from './derWriter.js';
import { OID } from './oids.js';

export type NameAttribute = 'O' | 'OU' | 'CN';

const TYPES: Record<NameAttribute, Buffer> = {
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
};

/** RFC 5280 appendix A upper bound for these attributes. */
export const MAX_NAME_VALUE = 64;

export function encodeName(attributes: ReadonlyArray<readonly [NameAttribute, string]>): Buffer {
  return sequence(...attributes.map(([type, value]) => setOf(sequence(TYPES[type], utf8String(truncate(value))))));
}

/** Text form for the certificates table, e.g. `CN=u1, OU=radgate.local, O=radgate`. */
export function nameText(attributes: ReadonlyArray<readonly [NameAttribute, string]>): string {
  return [...attributes].reverse().map(([t, v]) => `${t}=${truncate(v)}`).join(', ');
}

function truncate(value: string): string {
  const chars = [...value];
  return chars.length <= MAX_NAME_VALUE ? value : chars.slice(0, MAX_NAME_VALUE).join('');
}
