// X.509 v3 extensions (RFC 5280 4.2) as DER, one small encoder each.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { bitStringBytes, children, expectTag, readWhole } from './derReader.js';
import { TRUE, ia5String, implicitPrimitive, octetString, sequence, smallInteger, tlv } from './derWriter.js';
import { OID } from './oids.js';

export function extension(id: Buffer, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(id, TRUE, octetString(value)) : sequence(id, octetString(value));
}

/** 4.2.1.9: CA certificates carry cA TRUE (and maybe pathLen); end entities an empty SEQUENCE. */
export function basicConstraints(ca: boolean, pathLen?: number): Buffer {
  const parts = ca ? [TRUE, ...(pathLen === undefined ? [] : [smallInteger(pathLen)])] : [];
  return extension(OID.basicConstraints, true, sequence(...parts));
}

const KEY_USAGE_BITS = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;
export type KeyUsage = keyof typeof KEY_USAGE_BITS;

/** 4.2.1.3, always critical; DER named bit list with trailing zero bits removed. */
export function keyUsage(usages: readonly KeyUsage[]): Buffer {
  let byte = 0;
  for (const u of usages) byte |= 0x80 >> KEY_USAGE_BITS[u];
  if (byte === 0) throw new RangeError('keyUsage needs at least one bit');
  let unused = 0;
  while (((byte >> unused) & 1) === 0) unused++;
  return extension(OID.keyUsage, true, tlv(0x03, Buffer.from([unused, byte])));
}

export function extKeyUsage(purposes: readonly Buffer[]): Buffer {
  return extension(OID.extKeyUsage, false, sequence(...purposes));
}

/** GeneralName uniformResourceIdentifier [6] IA5String. */
export const uriName = (uri: string): Buffer => implicitPrimitive(6, ia5String(uri).subarray(2));
/** GeneralName dNSName [2] IA5String. */
export const dnsName = (name: string): Buffer => implicitPrimitive(2, ia5String(name).subarray(2));
/** GeneralName iPAddress [7] OCTET STRING of 4 or 16 bytes. */
export const ipName = (address: string): Buffer => implicitPrimitive(7, ipBytes(address));

/** DNS names and IP addresses for a TLS server certificate. */
export function hostName(name: string): Buffer {
  if (isIP(name)) return ipName(name);
  if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name)) {
    throw new RangeError(`"${name}" is neither a DNS name nor an IP address`);
  }
  return dnsName(name.toLowerCase());
}

/** 4.2.1.6: non-critical because every certificate we issue has a non-empty subject. */
export function subjectAltName(names: readonly Buffer[]): Buffer {
  return extension(OID.subjectAltName, false, sequence(...names));
}

export const subjectKeyIdentifier = (keyId: Buffer): Buffer => extension(OID.subjectKeyIdentifier, false, octetString(keyId));

/** 4.2.1.1: keyIdentifier [0] only. */
export const authorityKeyIdentifier = (keyId: Buffer): Buffer => extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyId)));

/** RFC 7093 method 1: leftmost 160 bits of SHA-256 over the subjectPublicKey bits. */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, bits] = children(spki, readWhole(spki, 0x30));
  const key = bitStringBytes(spki, expectTag(bits, 0x03, 'subjectPublicKey'), 'subjectPublicKey');
  return createHash('sha256').update(key).digest().subarray(0, 20);
}

function ipBytes(address: string): Buffer {
  const v = isIP(address);
  if (v === 4) return Buffer.from(address.split('.').map(Number));
  if (v !== 6) throw new RangeError(`"${address}" is not an IP address`);
  let text = address.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
