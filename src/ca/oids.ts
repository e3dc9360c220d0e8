// Object identifiers the CA writes or recognises, pre-encoded once as DER TLVs.
import { oid } from './derWriter.js';

export const OID = {
  // Public key algorithms (RFC 5480, RFC 3279, RFC 8410, RFC 4055)
  ecPublicKey: oid('1.2.840.10045.2.1'),
  rsaEncryption: oid('1.2.840.113549.1.1.1'),
  rsassaPss: oid('1.2.840.113549.1.1.10'),
  dsa: oid('1.2.840.10040.4.1'),
  x25519: oid('1.3.101.110'),
  x448: oid('1.3.101.111'),
  ed25519: oid('1.3.101.112'),
  ed448: oid('1.3.101.113'),
  // Named curves
  prime256v1: oid('1.2.840.10045.3.1.7'),
  secp384r1: oid('1.3.132.0.34'),
  secp521r1: oid('1.3.132.0.35'),
  secp256k1: oid('1.3.132.0.10'),
  // Signature algorithms (RFC 5758, RFC 4055)
  ecdsaWithSha1: oid('1.2.840.10045.4.1'),
  ecdsaWithSha256: oid('1.2.840.10045.4.3.2'),
  ecdsaWithSha384: oid('1.2.840.10045.4.3.3'),
  ecdsaWithSha512: oid('1.2.840.10045.4.3.4'),
  sha1WithRsa: oid('1.2.840.113549.1.1.5'),
  sha256WithRsa: oid('1.2.840.113549.1.1.11'),
  sha384WithRsa: oid('1.2.840.113549.1.1.12'),
  sha512WithRsa: oid('1.2.840.113549.1.1.13'),
  // Attribute types (RFC 5280 appendix A)
  commonName: oid('2.5.4.3'),
  organizationName: oid('2.5.4.10'),
  organizationalUnitName: oid('2.5.4.11'),
  // Extensions (RFC 5280 4.2, 5.2, 5.3)
  subjectKeyIdentifier: oid('2.5.29.14'),
  keyUsage: oid('2.5.29.15'),
  subjectAltName: oid('2.5.29.17'),
  basicConstraints: oid('2.5.29.19'),
  crlNumber: oid('2.5.29.20'),
  crlReason: oid('2.5.29.21'),
  authorityKeyIdentifier: oid('2.5.29.35'),
  extKeyUsage: oid('2.5.29.37'),
  serverAuth: oid('1.3.6.1.5.5.7.3.1'),
  clientAuth: oid('1.3.6.1.5.5.7.3.2'),
} as const;

/** Names for refusal messages; anything else is reported by its dotted OID. */
export const KEY_ALGORITHM_NAMES: ReadonlyArray<readonly [Buffer, string]> = [
  [OID.rsassaPss, 'RSASSA-PSS'],
  [OID.dsa, 'DSA'],
  [OID.x25519, 'X25519'],
  [OID.x448, 'X448'],
  [OID.ed25519, 'Ed25519'],
  [OID.ed448, 'Ed448'],
];

export const CURVE_NAMES: ReadonlyArray<readonly [Buffer, string]> = [
  [OID.secp521r1, 'P-521'],
  [OID.secp256k1, 'secp256k1'],
];
