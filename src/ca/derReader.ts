// Strict DER reader: definite minimal lengths, low tag numbers, every byte accounted for.
// It hands out offsets so signed bytes can be verified exactly as received.

export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** Reads one TLV at `offset` that must end at or before `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated: no room for a tag and length');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let len = buf[offset + 1]!;
  let at = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 3) throw new DerError('length too large');
    if (at + n > limit) throw new DerError('truncated length');
    if (buf[at] === 0) throw new DerError('non-minimal length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + i]!;
    at += n;
    if (len < 0x80) throw new DerError('non-minimal length');
  }
  const end = at + len;
  if (end > limit) throw new DerError('truncated: value runs past its container');
  return { tag, start: offset, contentStart: at, end };
}

/** Reads a TLV that must fill `buf` exactly (no trailing bytes). */
export function readWhole(buf: Uint8Array, tag: number): Tlv {
  const t = readTlv(buf, 0, buf.length);
  if (t.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  if (t.end !== buf.length) throw new DerError('trailing bytes after the value');
  return t;
}

/** The TLVs directly inside a constructed value. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new DerError('expected a constructed value');
  const out: Tlv[] = [];
  let at = parent.contentStart;
  while (at < parent.end) {
    const t = readTlv(buf, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new DerError(`${what}: missing`);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

export const content = (buf: Uint8Array, t: Tlv): Buffer => Buffer.from(buf.buffer, buf.byteOffset + t.contentStart, t.end - t.contentStart);
export const whole = (buf: Uint8Array, t: Tlv): Buffer => Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);

/** Content of a BIT STRING that must have no unused bits. */
export function bitStringBytes(buf: Uint8Array, t: Tlv, what: string): Buffer {
  expectTag(t, 0x03, what);
  const c = content(buf, t);
  if (c.length < 1 || c[0] !== 0) throw new DerError(`${what}: expected a whole number of bytes`);
  return c.subarray(1);
}

/** Magnitude bytes of a non-negative, minimally encoded INTEGER. */
export function unsignedIntegerBytes(buf: Uint8Array, t: Tlv, what: string): Buffer {
  expectTag(t, 0x02, what);
  const c = content(buf, t);
  if (c.length === 0) throw new DerError(`${what}: empty INTEGER`);
  if (c[0]! & 0x80) throw new DerError(`${what}: negative INTEGER`);
  if (c.length > 1 && c[0] === 0 && (c[1]! & 0x80) === 0) throw new DerError(`${what}: non-minimal INTEGER`);
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** Dotted form of an OBJECT IDENTIFIER's content, for messages. */
export function oidToString(c: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of c) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0;
    }
  }
  if (arcs.length === 0) return '';
  const first = arcs[0]!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}
