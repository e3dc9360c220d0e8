import { describe, expect, it } from 'vitest';
import { hostName, keyUsage } from './extensions.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('extensions', () => {
  it('encodes keyUsage as a named bit list without trailing zero bits', () => {
    // digitalSignature = bit 0: one byte 0x80 with 7 unused bits.
    expect(hex(keyUsage(['digitalSignature']))).toMatch(/03020780$/);
    // keyCertSign (5) + cRLSign (6): 0x06 with 1 unused bit.
    expect(hex(keyUsage(['keyCertSign', 'cRLSign']))).toMatch(/03020106$/);
  });

  it('writes IPv4 and IPv6 server names as iPAddress and others as dNSName', () => {
    expect(hex(hostName('127.0.0.1'))).toBe('87047f000001');
    expect(hex(hostName('::1'))).toBe('8710' + '00'.repeat(15) + '01');
    expect(hex(hostName('fe80::1:2'))).toBe('8710fe80' + '00'.repeat(10) + '00010002');
    expect(hex(hostName('::ffff:10.0.0.1'))).toBe('8710' + '00'.repeat(10) + 'ffff0a000001');
    expect(hostName('Radgate.Example')[0]).toBe(0x82);
    expect(hostName('Radgate.Example').subarray(2).toString()).toBe('radgate.example');
  });

  it('refuses a server name that is neither a DNS name nor an IP address', () => {
    expect(() => hostName('bad name')).toThrow(RangeError);
    expect(() => hostName('-x.example')).toThrow(RangeError);
  });
});
