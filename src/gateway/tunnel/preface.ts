// The tunnel wire format (see README.md in this folder). After the TLS handshake (ALPN
// "radgate-tunnel/1") the client names its target in a preface:
//   "RGT1" | u16 big-endian length (1..64) | target name (ASCII [a-z0-9._-])
// and the gateway answers once it decided:
//   "RGT1" | u8 status (0 open, 1 refused) | u8 length | reason (ASCII reason code)
// After "open" the connection carries the raw byte stream both ways.

export const TUNNEL_ALPN = 'radgate-tunnel/1';
export const MAGIC = Buffer.from('RGT1', 'ascii');
export const MAX_TARGET_LENGTH = 64;
/** The longest preface a client may send: magic, length and the longest name. */
export const MAX_PREFACE_BYTES = MAGIC.length + 2 + MAX_TARGET_LENGTH;
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

export type PrefaceResult =
  | { status: 'need-more' }
  | { status: 'ok'; target: string; /** Bytes after the preface (the client may pipeline its protocol's first bytes). */ rest: Buffer }
  | { status: 'error'; reason: 'preface-malformed' | 'preface-too-large'; detail: string };

/** Parses a preface from the bytes received so far; never reads past MAX_PREFACE_BYTES to decide. */
export function parsePreface(buf: Buffer): PrefaceResult {
  const head = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, head).equals(MAGIC.subarray(0, head))) return { status: 'error', reason: 'preface-malformed', detail: 'the connection does not start with the radgate tunnel preface' };
  if (buf.length < MAGIC.length + 2) return { status: 'need-more' };
  const length = buf.readUInt16BE(MAGIC.length);
  if (length === 0) return { status: 'error', reason: 'preface-malformed', detail: 'empty target name' };
  if (length > MAX_TARGET_LENGTH) return { status: 'error', reason: 'preface-too-large', detail: `target name of ${length} bytes (at most ${MAX_TARGET_LENGTH})` };
  const end = MAGIC.length + 2 + length;
  if (buf.length < end) return { status: 'need-more' };
  const name = buf.subarray(MAGIC.length + 2, end);
  for (const b of name) if (b < 0x21 || b > 0x7e) return { status: 'error', reason: 'preface-malformed', detail: 'target name is not printable ASCII' };
  const target = name.toString('ascii');
  if (!NAME.test(target)) return { status: 'error', reason: 'preface-malformed', detail: 'target name has characters outside [a-z0-9._-]' };
  return { status: 'ok', target, rest: buf.subarray(end) };
}

export function encodePreface(target: string): Buffer {
  const name = Buffer.from(target, 'ascii');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(name.length);
  return Buffer.concat([MAGIC, len, name]);
}

export function encodeReply(open: boolean, reason: string): Buffer {
  const r = Buffer.from(reason.slice(0, 255), 'ascii');
  return Buffer.concat([MAGIC, Buffer.from([open ? 0 : 1, r.length]), r]);
}
