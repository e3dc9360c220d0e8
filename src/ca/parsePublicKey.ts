// Which client keys the CA accepts: ECDSA P-256/P-384 (uncompressed points) and RSA
// 2048-8192 bits. Everything else is refused by name before any signature is checked.
// P-521 is refused on purpose: no need for it, and BoringSSL/Chrome dropped it from TLS.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { RadgateError } from '../errors/index.js';
import { DerError, bitStringBytes, children, expectTag, oidToString, readWhole, unsignedIntegerBytes, whole, content, type Tlv } from './derReader.js';
import { CURVE_NAMES, KEY_ALGORITHM_NAMES, OID } from './oids.js';

export type ClientKeyType = { type: 'ec'; curve: 'P-256' | 'P-384' } | { type: 'rsa'; bits: number };

export interface ParsedPublicKey {
  key: ClientKeyType;
  publicKey: KeyObject;
}

export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 8192;

const unsupported = (message: string) => new RadgateError('csr-key-unsupported', message);

/** Classifies and imports a SubjectPublicKeyInfo found at `spki` inside `buf`. */
export function parsePublicKey(buf: Uint8Array, spki: Tlv): ParsedPublicKey {
  const [algId, keyBits, extra] = children(buf, expectTag(spki, 0x30, 'subjectPKInfo'));
  if (extra) throw new DerError('subjectPKInfo: unexpected trailing element');
  const [algOid, params, extraParam] = children(buf, expectTag(algId, 0x30, 'subjectPKInfo.algorithm'));
  if (extraParam) throw new DerError('subjectPKInfo.algorithm: unexpected element');
  const alg = whole(buf, expectTag(algOid, 0x06, 'subjectPKInfo.algorithm'));
  const bits = bitStringBytes(buf, expectTag(keyBits, 0x03, 'subjectPublicKey'), 'subjectPublicKey');

  if (alg.equals(OID.ecPublicKey)) return parseEcKey(buf, params, bits);
  if (alg.equals(OID.rsaEncryption)) {
    // RFC 3279 2.3.1: parameters MUST be NULL.
    if (!params || !whole(buf, params).equals(Buffer.from([0x05, 0x00]))) throw new DerError('rsaEncryption: parameters must be NULL');
    return parseRsaKey(bits);
  }
  const named = KEY_ALGORITHM_NAMES.find(([o]) => o.equals(alg))?.[1];
  throw unsupported(`${named ?? `public key algorithm ${oidToString(content(buf, algOid!))}`} keys are not accepted; use ECDSA P-256/P-384 or RSA ${RSA_MIN_BITS}+`);
}

function parseEcKey(buf: Uint8Array, params: Tlv | undefined, point: Buffer): ParsedPublicKey {
  if (!params) throw new DerError('ecPublicKey: missing curve parameters');
  // RFC 5480 2.1.1: only namedCurve; explicit curve parameters are refused.
  if (params.tag !== 0x06) throw unsupported('explicit EC curve parameters are not accepted; use the named curve P-256 or P-384');
  const curveOid = whole(buf, params);
  let curve: 'P-256' | 'P-384';
  let size: number;
  if (curveOid.equals(OID.prime256v1)) [curve, size] = ['P-256', 32];
  else if (curveOid.equals(OID.secp384r1)) [curve, size] = ['P-384', 48];
  else {
    const named = CURVE_NAMES.find(([o]) => o.equals(curveOid))?.[1] ?? oidToString(content(buf, params));
    throw unsupported(`EC curve ${named} is not accepted; use P-256 or P-384`);
  }
  if (point[0] !== 0x04) throw unsupported('compressed EC points are not accepted; send the uncompressed point');
  if (point.length !== 1 + 2 * size) throw new DerError(`${curve} point has the wrong length`);
  const jwk = { kty: 'EC', crv: curve, x: point.subarray(1, 1 + size).toString('base64url'), y: point.subarray(1 + size).toString('base64url') };
  // JWK import is ~30% cheaper than SPKI decoding in OpenSSL 3.0 and validates the point.
  return { key: { type: 'ec', curve }, publicKey: importKey(jwk) };
}

function parseRsaKey(bits: Buffer): ParsedPublicKey {
  const rsa = readWhole(bits, 0x30);
  const [nT, eT, extra] = children(bits, rsa);
  if (extra) throw new DerError('RSAPublicKey: unexpected element');
  const n = unsignedIntegerBytes(bits, expectTag(nT, 0x02, 'modulus'), 'modulus');
  const e = unsignedIntegerBytes(bits, expectTag(eT, 0x02, 'publicExponent'), 'publicExponent');
  const modulusBits = n.length * 8 - Math.clz32(n[0]!) + 24;
  if (modulusBits < RSA_MIN_BITS) throw unsupported(`RSA key of ${modulusBits} bits is shorter than the ${RSA_MIN_BITS}-bit minimum`);
  if (modulusBits > RSA_MAX_BITS) throw unsupported(`RSA key of ${modulusBits} bits is longer than the ${RSA_MAX_BITS}-bit maximum`);
  // An exponent of 1 makes every value its own signature; require an odd e >= 3 of at most 32 bits.
  const eValue = e.length <= 4 ? e.readUIntBE(0, e.length) : Infinity;
  if (eValue < 3 || eValue % 2 === 0 || e.length > 4) throw unsupported('RSA public exponent must be odd, at least 3 and at most 32 bits');
  const jwk = { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') };
  return { key: { type: 'rsa', bits: modulusBits }, publicKey: importKey(jwk) };
}

function importKey(jwk: Record<string, string>): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw new RadgateError('csr-invalid', 'the CSR public key is not a valid key', { cause: err, detail: (err as Error).message });
  }
}
