// Certificate serial numbers: 128 random bits (RFC 5280 4.1.2.2: positive, at most 20
// octets). The canonical text form is the one node:tls and X509Certificate report:
// upper-case hex of the magnitude, two digits per byte, no leading zero byte.
import { randomFillSync } from 'node:crypto';
import { unsignedInteger } from './derWriter.js';

export interface Serial {
  /** Canonical hex, e.g. `5A0F…`. */
  hex: string;
  /** The DER INTEGER (a leading 0x00 is added when the high bit is set). */
  der: Buffer;
}

// CSPRNG output drawn 4 KiB at a time; each serial takes 16 fresh bytes, never reused.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

export function randomSerial(): Serial {
  for (;;) {
    if (poolAt === pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const bytes = pool.subarray(poolAt, (poolAt += 16));
    if (bytes.some((b) => b !== 0)) return serialFromMagnitude(bytes);
  }
}

export function serialFromMagnitude(bytes: Uint8Array): Serial {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const mag = Buffer.from(bytes.subarray(i));
  return { hex: mag.toString('hex').toUpperCase(), der: unsignedInteger(mag) };
}

/** Canonical form of a serial given as hex (any case, optional colons, leading zeros). */
export function normalizeSerial(serial: string): string | undefined {
  let s = serial.replace(/:/g, '');
  if (!/^[0-9A-Fa-f]+$/.test(s) || s.length > 42) return undefined;
  if (s.length % 2 === 1) s = '0' + s;
  s = s.replace(/^(00)+(?=..)/, '');
  return s.toUpperCase();
}

export function serialFromHex(hex: string): Serial | undefined {
  const canonical = normalizeSerial(hex);
  return canonical === undefined ? undefined : serialFromMagnitude(Buffer.from(canonical, 'hex'));
}
