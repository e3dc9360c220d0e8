import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReply, tunnelPreface } from '../../agent/tunnel.js';
import { encodePreface, encodeReply, MAX_PREFACE_BYTES, parsePreface } from './preface.js';

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

describe('tunnel preface', () => {
  it('reads the target and keeps the bytes that follow it', () => {
    const buf = Buffer.concat([encodePreface('ct-1-ssh'), Buffer.from('SSH-2.0-OpenSSH\r\n')]);
    const r = parsePreface(buf);
    expect(r).toMatchObject({ status: 'ok', target: 'ct-1-ssh' });
    expect(r.status === 'ok' && r.rest.toString()).toBe('SSH-2.0-OpenSSH\r\n');
  });

  it('asks for more until the preface is complete, byte by byte', () => {
    const full = encodePreface('mr-2.service_x');
    for (let i = 0; i < full.length; i++) expect(parsePreface(full.subarray(0, i)).status).toBe('need-more');
    expect(parsePreface(full)).toMatchObject({ status: 'ok', target: 'mr-2.service_x' });
  });

  it.each([
    ['a wrong magic', Buffer.from('SSH-2.0-x')],
    ['a wrong first byte', Buffer.from('X')],
    ['a zero length', Buffer.concat([Buffer.from('RGT1'), u16(0)])],
    ['upper case', Buffer.concat([Buffer.from('RGT1'), u16(3), Buffer.from('ABC')])],
    ['a space', Buffer.concat([Buffer.from('RGT1'), u16(3), Buffer.from('a b')])],
    ['a control byte', Buffer.concat([Buffer.from('RGT1'), u16(3), Buffer.from([0x61, 0x00, 0x62])])],
    ['non-ASCII', Buffer.concat([Buffer.from('RGT1'), u16(2), Buffer.from([0xc3, 0xa9])])],
    ['a leading dot', Buffer.concat([Buffer.from('RGT1'), u16(3), Buffer.from('.ab')])],
    ['a path', Buffer.concat([Buffer.from('RGT1'), u16(5), Buffer.from('../ab')])],
  ])('refuses %s as malformed', (_name, buf) => {
    expect(parsePreface(buf)).toMatchObject({ status: 'error', reason: 'preface-malformed' });
  });

  it('refuses a declared length over the maximum before reading the name', () => {
    expect(parsePreface(Buffer.concat([Buffer.from('RGT1'), u16(65)]))).toMatchObject({ status: 'error', reason: 'preface-too-large' });
    expect(parsePreface(Buffer.concat([Buffer.from('RGT1'), u16(65535)]))).toMatchObject({ status: 'error', reason: 'preface-too-large' });
    expect(parsePreface(encodePreface('a'.repeat(64)))).toMatchObject({ status: 'ok' });
    expect(MAX_PREFACE_BYTES).toBe(70);
  });

  it('never throws and never accepts a name outside the alphabet (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const r = parsePreface(Buffer.concat([Buffer.from('RGT1'), Buffer.from(bytes)]));
        if (r.status === 'ok') expect(r.target).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the agent’s encoder and reply parser', () => {
    expect(tunnelPreface('ct-1-ssh').equals(encodePreface('ct-1-ssh'))).toBe(true);
    expect(parseReply(Buffer.concat([encodeReply(true, 'open'), Buffer.from('xy')]))).toMatchObject({ status: 'done', open: true, reason: 'open', rest: Buffer.from('xy') });
    expect(parseReply(encodeReply(false, 'no-active-grant'))).toMatchObject({ status: 'done', open: false, reason: 'no-active-grant' });
    expect(parseReply(encodeReply(false, 'no-active-grant').subarray(0, 7))).toEqual({ status: 'need-more' });
    expect(parseReply(Buffer.from('HTTP/1.1 400'))).toEqual({ status: 'bad' });
    expect(() => tunnelPreface('Bad Name')).toThrow(/not a target name/);
  });
});
