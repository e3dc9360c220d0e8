// Minimal DER encoder for certificates, CRLs and CSRs. Built directly on Buffers because
// forge's TBS building measured ~157 µs per certificate, most of the issuance budget.

const MAX_LENGTH = 0xffffff;

function headerLength(len: number): number {
  if (len < 0x80) return 2;
  if (len < 0x100) return 3;
  if (len < 0x10000) return 4;
  if (len <= MAX_LENGTH) return 5;
  throw new RangeError('DER value too long');
}

function writeHeader(out: Buffer, tag: number, len: number): number {
  out[0] = tag;
  if (len < 0x80) {
    out[1] = len;
    return 2;
  }
  if (len < 0x100) {
    out[1] = 0x81;
    out[2] = len;
    return 3;
  }
  if (len < 0x10000) {
    out[1] = 0x82;
    out[2] = len >> 8;
    out[3] = len & 0xff;
    return 4;
  }
  out[1] = 0x83;
  out[2] = len >> 16;
  out[3] = (len >> 8) & 0xff;
  out[4] = len & 0xff;
  return 5;
}

/** One tag-length-value whose content is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = Buffer.allocUnsafe(headerLength(len) + len);
  let at = writeHeader(out, tag, len);
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const sequence = (...parts: readonly Uint8Array[]): Buffer => tlv(0x30, ...parts);

/** SET OF: X.690 11.6 requires the elements sorted by their encodings. */
export function setOf(...parts: readonly Uint8Array[]): Buffer {
  return tlv(0x31, ...[...parts].sort((a, b) => Buffer.compare(a, b)));
}

/** [n] EXPLICIT: a constructed context tag around one encoded value. */
export const explicit = (n: number, ...parts: readonly Uint8Array[]): Buffer => tlv(0xa0 | n, ...parts);

/** [n] IMPLICIT primitive (e.g. GeneralName uniformResourceIdentifier [6]). */
export const implicitPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | n, content);

export const NULL = Buffer.from([0x05, 0x00]);
export const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A non-negative INTEGER from big-endian magnitude bytes (minimal, sign-safe). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const body = magnitude.subarray(i);
  if (body.length === 0) return Buffer.from([0x02, 0x01, 0x00]);
  return (body[0]! & 0x80) !== 0 ? tlv(0x02, Buffer.from([0]), body) : tlv(0x02, body);
}

export function smallInteger(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('expected a non-negative safe integer');
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return unsignedInteger(Uint8Array.from(bytes));
}

export const enumerated = (n: number): Buffer => {
  if (!Number.isInteger(n) || n < 0 || n > 127) throw new RangeError('enumerated out of range');
  return Buffer.from([0x0a, 0x01, n]);
};

export const octetString = (content: Uint8Array): Buffer => tlv(0x04, content);

/** BIT STRING with no unused bits (keys, signatures). */
export const bitString = (content: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), content);

export const utf8String = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));

export function ia5String(s: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(s)) throw new RangeError('IA5String must be ASCII');
  return tlv(0x16, Buffer.from(s, 'latin1'));
}

/** OBJECT IDENTIFIER from dotted form; call once at module load, not per certificate. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`bad OID ${dotted}`);
    return Number(a);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    if (!Number.isSafeInteger(arc)) throw new RangeError(`bad OID ${dotted}`);
    const chunk: number[] = [];
    let v = arc;
    chunk.unshift(v % 128);
    v = Math.floor(v / 128);
    while (v > 0) {
      chunk.unshift((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

const two = (n: number) => (n < 10 ? '0' : '') + n;

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Zulu. */
export function time(date: Date): Buffer {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const y = date.getUTCFullYear();
  const rest = two(date.getUTCMonth() + 1) + two(date.getUTCDate()) + two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + 'Z';
  if (y >= 1950 && y <= 2049) return tlv(0x17, Buffer.from(two(y % 100) + rest, 'latin1'));
  if (y < 0 || y > 9999) throw new RangeError('year out of range');
  return tlv(0x18, Buffer.from(String(y).padStart(4, '0') + rest, 'latin1'));
}
