// Reads a PKCS#10 request (RFC 2986) and proves possession of its key by checking the
// self-signature over the CertificationRequestInfo bytes exactly as received.
import { verify } from 'node:crypto';
import { RadgateError, isRadgateError } from '../errors/index.js';
import { DerError, bitStringBytes, children, expectTag, oidToString, readWhole, whole, content, type Tlv } from './derReader.js';
import { OID } from './oids.js';
import { parsePublicKey, type ParsedPublicKey } from './parsePublicKey.js';
import { pemDecode } from './pem.js';

/** Upper bound on the PEM text; an RSA-8192 request is about 3 KiB. */
export const MAX_CSR_PEM_LENGTH = 16 * 1024;

export interface ParsedCsr extends ParsedPublicKey {
  /** SubjectPublicKeyInfo DER, copied verbatim into the certificate. */
  spki: Buffer;
}

const SIGNATURE_ALGORITHMS: ReadonlyArray<{ oid: Buffer; hash: string; key: 'ec' | 'rsa'; nullParams: boolean }> = [
  { oid: OID.ecdsaWithSha256, hash: 'sha256', key: 'ec', nullParams: false },
  { oid: OID.ecdsaWithSha384, hash: 'sha384', key: 'ec', nullParams: false },
  { oid: OID.ecdsaWithSha512, hash: 'sha512', key: 'ec', nullParams: false },
  { oid: OID.sha256WithRsa, hash: 'sha256', key: 'rsa', nullParams: true },
  { oid: OID.sha384WithRsa, hash: 'sha384', key: 'rsa', nullParams: true },
  { oid: OID.sha512WithRsa, hash: 'sha512', key: 'rsa', nullParams: true },
];

const sigInvalid = (message: string) => new RadgateError('csr-signature-invalid', message);

/** Parses, applies the key policy and verifies the self-signature (on the thread pool). */
export async function parseCsr(pem: string): Promise<ParsedCsr> {
  if (typeof pem !== 'string') throw new RadgateError('csr-invalid', 'the CSR must be PEM text');
  if (pem.length > MAX_CSR_PEM_LENGTH) throw new RadgateError('csr-too-large', `the CSR is larger than ${MAX_CSR_PEM_LENGTH} bytes`);
  let der: Buffer;
  try {
    der = pemDecode(pem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  } catch (err) {
    throw new RadgateError('csr-invalid', 'the CSR is not a PEM "CERTIFICATE REQUEST" block', { cause: err, detail: (err as Error).message });
  }
  return parseCsrDer(der);
}

export async function parseCsrDer(der: Uint8Array): Promise<ParsedCsr> {
  let csr: ReadCsr;
  try {
    csr = readCsr(der);
  } catch (err) {
    if (isRadgateError(err)) throw err;
    if (err instanceof DerError) throw new RadgateError('csr-invalid', `the CSR is not a valid PKCS#10 request: ${err.message}`, { cause: err });
    throw new RadgateError('csr-invalid', 'the CSR could not be read', { cause: err, detail: String(err) });
  }
  // On the thread pool: verification is the costliest step after key import (~75 µs).
  const ok = await new Promise<boolean>((resolve) => {
    try {
      verify(csr.hash, csr.info, csr.publicKey, csr.signature, (err, valid) => resolve(!err && valid));
    } catch {
      resolve(false);
    }
  });
  if (!ok) throw sigInvalid('the CSR signature does not verify with its own public key');
  return { key: csr.key, publicKey: csr.publicKey, spki: csr.spki };
}

interface ReadCsr extends ParsedCsr {
  hash: string;
  /** CertificationRequestInfo bytes as received: what the signature covers. */
  info: Buffer;
  signature: Buffer;
}

/** Structure, key policy and signature algorithm; the signature itself is checked by the caller. */
function readCsr(der: Uint8Array): ReadCsr {
  const top = readWhole(der, 0x30);
  const [cri, sigAlg, sigValue, extra] = children(der, top);
  if (extra) throw new DerError('CertificationRequest: unexpected trailing element');
  // RFC 2986 4.1: version 0, subject, subjectPKInfo, [0] attributes. Requested names
  // and extensions are ignored: the CA decides every name in the certificate.
  const [version, subject, spki, attributes, extraInfo] = children(der, expectTag(cri, 0x30, 'certificationRequestInfo'));
  const v = content(der, expectTag(version, 0x02, 'version'));
  if (v.length !== 1 || v[0] !== 0) throw new DerError('version: expected v1(0)');
  expectTag(subject, 0x30, 'subject');
  if (attributes && attributes.tag !== 0xa0) throw new DerError('attributes: expected [0]');
  if (extraInfo) throw new DerError('certificationRequestInfo: unexpected trailing element');
  const spkiTlv = expectTag(spki, 0x30, 'subjectPKInfo');
  const parsed = parsePublicKey(der, spkiTlv);

  const { hash } = signatureAlgorithm(der, expectTag(sigAlg, 0x30, 'signatureAlgorithm'), parsed.key.type);
  const signature = bitStringBytes(der, expectTag(sigValue, 0x03, 'signature'), 'signature');
  return { ...parsed, spki: Buffer.from(whole(der, spkiTlv)), hash, info: whole(der, cri!), signature };
}

function signatureAlgorithm(der: Uint8Array, algId: Tlv, keyType: 'ec' | 'rsa'): { hash: string } {
  const [algOid, params, extra] = children(der, algId);
  if (extra) throw new DerError('signatureAlgorithm: unexpected element');
  const alg = whole(der, expectTag(algOid, 0x06, 'signatureAlgorithm'));
  const known = SIGNATURE_ALGORITHMS.find((a) => a.oid.equals(alg));
  if (!known) {
    const sha1 = alg.equals(OID.sha1WithRsa) || alg.equals(OID.ecdsaWithSha1);
    throw sigInvalid(sha1 ? 'SHA-1 CSR signatures are not accepted; sign with SHA-256 or stronger' : `CSR signature algorithm ${oidToString(content(der, algOid!))} is not accepted`);
  }
  // RFC 5758 3.2: ECDSA identifiers omit parameters; RFC 4055 5: RSA ones carry NULL (absent tolerated).
  if (params && !(known.nullParams && whole(der, params).equals(Buffer.from([0x05, 0x00])))) throw new DerError('signatureAlgorithm: unexpected parameters');
  if (known.key !== keyType) throw sigInvalid(`the CSR is signed with an ${known.key.toUpperCase()} algorithm but carries an ${keyType.toUpperCase()} key`);
  return known;
}
