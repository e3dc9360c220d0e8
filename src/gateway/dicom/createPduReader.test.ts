// Incremental PDU framing: any chunking gives the same PDUs; bad headers are refused
// before their body is buffered.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABORT_REASON, PDU } from './constants.js';
import { createPduReader, isPduError, type RawPdu } from './createPduReader.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/gateway/dicom/fixtures');
const limits = { maxPduLength: 1 << 20, maxAssociateLength: 1 << 16 };

function drain(r: ReturnType<typeof createPduReader>): RawPdu[] {
  const out: RawPdu[] = [];
  for (let p = r.next(); p; p = r.next()) {
    if (isPduError(p)) throw new Error(p.code);
    out.push(p);
  }
  return out;
}

describe('createPduReader', () => {
  const stream = readFileSync(path.join(FIXTURES, 'get.scp.bin'));
  const whole = (() => {
    const r = createPduReader(limits);
    r.push(stream);
    return drain(r).map((p) => Buffer.from(p.raw));
  })();

  it('frames a real Orthanc C-GET stream into PDUs that add up to the stream', () => {
    expect(whole.length).toBeGreaterThan(5);
    expect(Buffer.concat(whole).equals(stream)).toBe(true);
    expect(whole[0]![0]).toBe(PDU.associateAc);
  });

  it('gives the same PDUs whatever the chunk boundaries (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const r = createPduReader(limits);
        const got: Buffer[] = [];
        let prev = 0;
        for (const c of [...points, stream.length]) {
          r.push(stream.subarray(prev, c));
          prev = c;
          got.push(...drain(r).map((p) => Buffer.from(p.raw)));
        }
        expect(got).toEqual(whole);
        expect(r.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a PDU inside one chunk as a view, without copying', () => {
    const r = createPduReader(limits);
    r.push(stream);
    const first = r.next() as RawPdu;
    expect(first.raw.buffer).toBe(stream.buffer);
  });

  it('refuses a P-DATA-TF over the maximum length as soon as its header arrives', () => {
    const r = createPduReader({ ...limits, maxPduLength: 16384 });
    r.push(Buffer.from([PDU.pData, 0, 0, 0, 0x40, 0x01])); // 16385 bytes announced, none sent
    expect(r.next()).toMatchObject({ code: 'pdu-too-long', abortReason: ABORT_REASON.invalidPduParameterValue });
  });

  it('refuses an A-ASSOCIATE-RQ over the association limit', () => {
    const r = createPduReader(limits);
    r.push(Buffer.from([PDU.associateRq, 0, 0, 0x10, 0, 0]));
    expect(r.next()).toMatchObject({ code: 'pdu-too-long' });
  });

  it('refuses an unknown PDU type before any body', () => {
    const r = createPduReader(limits);
    r.push(Buffer.from('GET / HTTP/1.1\r\n'));
    expect(r.next()).toMatchObject({ code: 'pdu-type-unknown', abortReason: ABORT_REASON.unrecognizedPdu });
  });

  it('refuses an A-ABORT whose length is not 4', () => {
    const r = createPduReader(limits);
    r.push(Buffer.from([PDU.abort, 0, 0, 0, 1, 0]));
    expect(r.next()).toMatchObject({ code: 'pdu-length-mismatch' });
  });

  it('waits for the rest of a truncated PDU and holds only what arrived', () => {
    const r = createPduReader(limits);
    r.push(stream.subarray(0, 100));
    expect(r.next()).toBeUndefined();
    expect(r.buffered).toBe(100);
  });

  it('stays failed after an error (the stream is unusable)', () => {
    const r = createPduReader(limits);
    r.push(Buffer.from([0x42, 0, 0, 0, 0, 0]));
    expect(isPduError(r.next())).toBe(true);
    r.push(stream);
    expect(isPduError(r.next())).toBe(true);
    expect(r.buffered).toBe(0);
  });
});
