// The bad-request table: every CSR the CA must refuse, the code and the reason it names.
import { createECDH, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { RadgateErrorCode } from '../../src/errors/index.js';
import { bitString, NULL, oid, sequence, unsignedInteger } from '../../src/ca/derWriter.js';
import { MAX_CSR_PEM_LENGTH } from '../../src/ca/parseCsr.js';
import { pemEncode } from '../../src/ca/pem.js';
import { assembleCsr, csrParts, csrPem, makeCsr, testKeyPair } from './makeCsr.js';

export interface BadCsr {
  rule: string;
  make: () => string;
  code: RadgateErrorCode;
  message: RegExp;
}

const flip = (buf: Buffer, at: number): Buffer => {
  const out = Buffer.from(buf);
  out[at] = out[at]! ^ 0x01;
  return out;
};

export const BAD_CSRS: BadCsr[] = [
  { rule: 'refuses text that is not PEM', make: () => 'hello, I am a certificate request', code: 'csr-invalid', message: /not a PEM/ },
  {
    rule: 'refuses a PEM block that is not a certificate request',
    make: () => pemEncode('CERTIFICATE', makeCsr('p256').der),
    code: 'csr-invalid',
    message: /CERTIFICATE REQUEST/,
  },
  {
    rule: 'refuses a PEM body that is not base64',
    make: () => '-----BEGIN CERTIFICATE REQUEST-----\nMII$$$$\n-----END CERTIFICATE REQUEST-----\n',
    code: 'csr-invalid',
    message: /not a PEM/,
  },
  { rule: 'refuses truncated DER', make: () => csrPem(makeCsr('p256').der.subarray(0, -10)), code: 'csr-invalid', message: /truncated/ },
  {
    rule: 'refuses bytes trailing the request',
    make: () => csrPem(Buffer.concat([makeCsr('p256').der, Buffer.from([0x05, 0x00])])),
    code: 'csr-invalid',
    message: /trailing/,
  },
  {
    rule: 'refuses a non-minimal (BER) length',
    make: () => {
      const der = makeCsr('p256').der;
      if (der[1] !== 0x81) throw new Error('fixture expects a one-byte long-form length');
      return csrPem(Buffer.concat([Buffer.from([0x30, 0x82, 0x00]), der.subarray(2)]));
    },
    code: 'csr-invalid',
    message: /non-minimal length/,
  },
  {
    rule: 'refuses a request whose signature was tampered with',
    make: () => {
      const der = makeCsr('p256').der;
      return csrPem(flip(der, der.length - 1));
    },
    code: 'csr-signature-invalid',
    message: /does not verify/,
  },
  {
    rule: 'refuses a request whose CertificationRequestInfo was tampered with',
    make: () => {
      const der = makeCsr('p256').der;
      const at = der.indexOf(Buffer.from('requested-name'));
      return csrPem(flip(der, at + 3));
    },
    code: 'csr-signature-invalid',
    message: /does not verify/,
  },
  {
    rule: 'refuses a request signed by a key other than the one it carries',
    make: () => makeCsr('p256', { signingKey: testKeyPair('p256').privateKey }).pem,
    code: 'csr-signature-invalid',
    message: /does not verify/,
  },
  {
    rule: 'refuses a SHA-1 signature',
    make: () => makeCsr('p256', { signatureAlgorithm: sequence(oid('1.2.840.10045.4.1')), hash: 'sha1' }).pem,
    code: 'csr-signature-invalid',
    message: /SHA-1/,
  },
  {
    rule: 'refuses an RSA signature algorithm over an EC key',
    make: () => makeCsr('p256', { signatureAlgorithm: sequence(oid('1.2.840.113549.1.1.11'), NULL) }).pem,
    code: 'csr-signature-invalid',
    message: /RSA algorithm but carries an EC key/,
  },
  { rule: 'refuses an RSA key shorter than 2048 bits', make: () => makeCsr('rsa1024').pem, code: 'csr-key-unsupported', message: /RSA key of 1024 bits/ },
  { rule: 'refuses an Ed25519 key', make: () => makeCsr('ed25519').pem, code: 'csr-key-unsupported', message: /Ed25519 keys are not accepted/ },
  { rule: 'refuses an Ed448 key', make: () => makeCsr('ed448').pem, code: 'csr-key-unsupported', message: /Ed448 keys are not accepted/ },
  { rule: 'refuses the secp256k1 curve', make: () => makeCsr('secp256k1').pem, code: 'csr-key-unsupported', message: /curve secp256k1 is not accepted/ },
  { rule: 'refuses the P-521 curve', make: () => makeCsr('p521').pem, code: 'csr-key-unsupported', message: /curve P-521 is not accepted/ },
  {
    rule: 'refuses a compressed EC point',
    make: () => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const spki = sequence(sequence(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')), bitString(ecdh.getPublicKey(null, 'compressed')));
      return makeCsr('p256', { spki }).pem;
    },
    code: 'csr-key-unsupported',
    message: /compressed EC points/,
  },
  {
    rule: 'refuses an EC point that is not on the curve',
    make: () => {
      const keys = testKeyPair('p256');
      const spki = flip(keys.publicKey.export({ type: 'spki', format: 'der' }), 80);
      return csrPem(assembleCsr(csrParts(keys, { spki })));
    },
    code: 'csr-invalid',
    message: /not a valid key/,
  },
  {
    rule: 'refuses explicit EC curve parameters',
    make: () => {
      const keys = testKeyPair('p256');
      const point = keys.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
      const spki = sequence(sequence(oid('1.2.840.10045.2.1'), sequence(Buffer.from([0x02, 0x01, 0x01]))), bitString(point));
      return csrPem(assembleCsr(csrParts(keys, { spki })));
    },
    code: 'csr-key-unsupported',
    message: /explicit EC curve parameters/,
  },
  {
    rule: 'refuses an RSA public exponent of 1',
    make: () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const n = Buffer.from(publicKey.export({ format: 'jwk' }).n!, 'base64url');
      const rsaKey = sequence(unsignedInteger(n), unsignedInteger(Buffer.from([1])));
      const spki = sequence(sequence(oid('1.2.840.113549.1.1.1'), NULL), bitString(rsaKey));
      createPublicKey({ key: spki, format: 'der', type: 'spki' }); // a well-formed key, just a fatal one
      return makeCsr('rsa2048', { spki }).pem;
    },
    code: 'csr-key-unsupported',
    message: /exponent/,
  },
  {
    rule: `refuses a request larger than ${MAX_CSR_PEM_LENGTH} bytes`,
    make: () => {
      const pem = makeCsr('p256').pem;
      return pem.replace('-----END', `${'A'.repeat(64)}\n`.repeat(Math.ceil(MAX_CSR_PEM_LENGTH / 65)) + '-----END');
    },
    code: 'csr-too-large',
    message: /larger than 16384 bytes/,
  },
  {
    rule: 'refuses a v2 CertificationRequestInfo',
    make: () => {
      const der = makeCsr('p256').der;
      const at = der.indexOf(Buffer.from([0x02, 0x01, 0x00]));
      const out = Buffer.from(der);
      out[at + 2] = 1;
      return csrPem(out);
    },
    code: 'csr-invalid',
    message: /version/,
  },
];
