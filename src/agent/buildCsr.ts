// PKCS#10 (RFC 2986) certification requests built with node:crypto and the agent's DER
// writer: the private key signs here and never leaves the device.
import { sign, type KeyObject } from 'node:crypto';
import { AgentError } from './AgentError.js';
import { bitString, contextConstructed, integer, oid, sequence, set, utf8String } from './derWriter.js';

const OID_COMMON_NAME = '2.5.4.3';
// RFC 5758 3.2: ecdsa-with-SHA256, parameters absent.
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export interface CsrInput {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Subject CN; the broker ignores names and puts identity in the certificate SANs. */
  commonName?: string;
}

export function buildCsr(input: CsrInput): { der: Buffer; pem: string } {
  if (input.privateKey.asymmetricKeyType !== 'ec' || input.privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new AgentError('protocol', 'buildCsr: only ECDSA P-256 keys are used by the agent');
  }
  const subject = sequence(set(sequence(oid(OID_COMMON_NAME), utf8String(input.commonName ?? 'radgate-agent'))));
  const spki = input.publicKey.export({ type: 'spki', format: 'der' });
  // RFC 2986 4.1: version 0, subject, SPKI, attributes [0] (empty).
  const info = sequence(integer(0), subject, spki, contextConstructed(0, Buffer.alloc(0)));
  const signature = sign('sha256', info, { key: input.privateKey, dsaEncoding: 'der' });
  const der = sequence(info, sequence(oid(OID_ECDSA_WITH_SHA256)), bitString(signature));
  return { der, pem: toPem('CERTIFICATE REQUEST', der) };
}

export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
