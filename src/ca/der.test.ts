import { describe, expect, it } from 'vitest';
import { DerError, children, oidToString, readTlv, readWhole, unsignedIntegerBytes } from './derReader.js';
import { oid, setOf, smallInteger, time, tlv, unsignedInteger } from './derWriter.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('derWriter', () => {
  it('encodes INTEGERs minimally and positive (X.690 8.3.2)', () => {
    expect(hex(unsignedInteger(Buffer.from([0x7f])))).toBe('02017f');
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0x00, 0x00, 0x7f])))).toBe('02017f');
    expect(hex(unsignedInteger(Buffer.from([0x00, 0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0x00])))).toBe('020100');
    expect(hex(smallInteger(256))).toBe('02020100');
  });

  it('uses the shortest length form (X.690 10.1)', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(256))).slice(0, 8)).toBe('04820100');
    expect(hex(tlv(0x04, Buffer.alloc(65536))).slice(0, 10)).toBe('0483010000');
  });

  it('encodes OIDs with base-128 arcs', () => {
    expect(hex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(() => oid('1.40.1')).toThrow(RangeError);
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1', 2)).toBe('491231235959Z');
    expect(time(new Date('2049-12-31T23:59:59Z'))[0]).toBe(0x17);
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2)).toBe('20500101000000Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });

  it('sorts SET OF elements by encoding (X.690 11.6)', () => {
    expect(hex(setOf(Buffer.from([0x02, 0x01, 0x05]), Buffer.from([0x02, 0x01, 0x01])))).toBe('3106020101020105');
  });
});

describe('derReader', () => {
  it('refuses indefinite lengths', () => {
    expect(() => readTlv(Buffer.from([0x30, 0x80, 0x00, 0x00]), 0)).toThrow(/indefinite/);
  });

  it('refuses non-minimal lengths', () => {
    expect(() => readTlv(Buffer.from([0x04, 0x81, 0x05, 1, 2, 3, 4, 5]), 0)).toThrow(/non-minimal/);
    expect(() => readTlv(Buffer.from([0x04, 0x82, 0x00, 0x80, ...Buffer.alloc(128)]), 0)).toThrow(/non-minimal/);
  });

  it('refuses values that run past their container', () => {
    const buf = Buffer.from([0x30, 0x03, 0x04, 0x05, 0x00]);
    expect(() => children(buf, readTlv(buf, 0))).toThrow(DerError);
    expect(() => readTlv(Buffer.from([0x04, 0x05, 1, 2]), 0)).toThrow(/truncated/);
  });

  it('refuses trailing bytes after a whole value', () => {
    expect(() => readWhole(Buffer.from([0x05, 0x00, 0x00]), 0x05)).toThrow(/trailing/);
  });

  it('refuses negative and non-minimal INTEGERs where a magnitude is expected', () => {
    const neg = Buffer.from([0x02, 0x01, 0xff]);
    expect(() => unsignedIntegerBytes(neg, readTlv(neg, 0), 'n')).toThrow(/negative/);
    const padded = Buffer.from([0x02, 0x02, 0x00, 0x01]);
    expect(() => unsignedIntegerBytes(padded, readTlv(padded, 0), 'n')).toThrow(/non-minimal/);
    const ok = Buffer.from([0x02, 0x02, 0x00, 0x80]);
    expect(hex(unsignedIntegerBytes(ok, readTlv(ok, 0), 'n'))).toBe('80');
  });

  it('prints OIDs in dotted form', () => {
    expect(oidToString(oid('1.3.132.0.10').subarray(2))).toBe('1.3.132.0.10');
    expect(oidToString(oid('2.999.3').subarray(2))).toBe('2.999.3');
  });
});
