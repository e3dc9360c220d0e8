// Fuzz: ≥ 100,000 PDUs mutated from real dcmtk ↔ Orthanc captures go through everything
// that parses outside input (framing, PDU decoder, command sets, identifiers). Nothing
// may throw, hang or grow memory without bound. Seeded, so a failure is reproducible.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCommandSet } from '../../../src/gateway/dicom/commandSet.js';
import { PDU } from '../../../src/gateway/dicom/constants.js';
import { createMessageTracker } from '../../../src/gateway/dicom/createMessageTracker.js';
import { createPduReader, isPduError } from '../../../src/gateway/dicom/createPduReader.js';
import { decodePdu } from '../../../src/gateway/dicom/decodePdu.js';
import type { PData } from '../../../src/gateway/dicom/pduTypes.js';
import { readStudyFields } from '../../../src/gateway/dicom/readStudyFields.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CAPTURES = ['echo', 'find', 'store', 'get'].flatMap((n) => [`${n}.scu.bin`, `${n}.scp.bin`]);
const RUNS = 100_000;

/** mulberry32: small, fast, seeded. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seeds(): Buffer[] {
  const out: Buffer[] = [];
  for (const f of CAPTURES) {
    const r = createPduReader({ maxPduLength: 1 << 24, maxAssociateLength: 1 << 20 });
    r.push(readFileSync(path.join(FIXTURES, f)));
    for (let p = r.next(); p; p = r.next()) {
      if (isPduError(p)) throw new Error(`${f}: ${p.code}`);
      out.push(Buffer.from(p.raw));
    }
  }
  return out;
}

const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x5c];

function mutate(src: Buffer, r: () => number, pool: Buffer[]): Buffer {
  const pick = (n: number) => Math.floor(r() * n);
  let b = Buffer.from(src);
  const rounds = 1 + pick(4);
  for (let i = 0; i < rounds; i++) {
    switch (pick(9)) {
      case 0: // bit flip
        if (b.length) b[pick(b.length)]! ^= 1 << pick(8);
        break;
      case 1: // interesting byte
        if (b.length) b[pick(b.length)] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      case 2: // lie in the PDU length
        if (b.length >= 6) b.writeUInt32BE(Math.min(0xffffffff, Math.max(0, b.readUInt32BE(2) + pick(64) - 32)), 2);
        break;
      case 3: // lie in a 16-bit item length somewhere
        if (b.length >= 2) {
          const at = pick(b.length - 1);
          b.writeUInt16BE(pick(2) ? 0xffff : pick(b.length + 16), at);
        }
        break;
      case 4: // lie in a 32-bit length (PDV or element)
        if (b.length >= 4) b.writeUInt32LE(pick(3) === 0 ? 0xffffffff : pick(1 << 16), pick(b.length - 3));
        break;
      case 5: // truncate
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 6: // delete a slice
        if (b.length > 2) {
          const at = pick(b.length);
          b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + pick(16))]);
        }
        break;
      case 7: // duplicate a slice
        if (b.length > 2) {
          const at = pick(b.length);
          const len = 1 + pick(Math.min(64, b.length - at));
          b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
        }
        break;
      case 8: // splice with another PDU
        {
          const o = pool[pick(pool.length)]!;
          const at = pick(b.length + 1);
          b = Buffer.concat([b.subarray(0, at), o.subarray(pick(o.length + 1))]);
        }
        break;
    }
  }
  return b;
}

/** Everything a mutated PDU can reach; returns how far it got. */
function exercise(buf: Buffer, r: () => number): 'decoded' | 'refused' {
  // Framing with a random split and a random limit.
  const reader = createPduReader({ maxPduLength: 4096 + Math.floor(r() * 65536), maxAssociateLength: 1 << 16 });
  const cut = Math.floor(r() * (buf.length + 1));
  reader.push(buf.subarray(0, cut));
  reader.push(buf.subarray(cut));
  for (let p = reader.next(), n = 0; p && n < 8; p = reader.next(), n++) if (isPduError(p)) break;
  const d = decodePdu(buf);
  if (!d.ok) return 'refused';
  if (d.value.type === PDU.pData) {
    const t = createMessageTracker(() => true);
    for (const v of (d.value as PData).pdvs) {
      t.track(v);
      if (v.command) decodeCommandSet(v.data);
      else {
        readStudyFields(v.data, true, true);
        readStudyFields(v.data, false, false);
      }
    }
  }
  return 'decoded';
}

describe('PDU fuzz (mutated real captures)', () => {
  it(`survives ${RUNS.toLocaleString('en')} mutated PDUs: no throw, no hang, bounded memory`, () => {
    const pool = seeds();
    expect(pool.length).toBeGreaterThan(20);
    const r = rng(0x5eed_d1c0);
    const counts = { decoded: 0, refused: 0 };
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    let slowest = 0;
    for (let i = 0; i < RUNS; i++) {
      const m = mutate(pool[i % pool.length]!, r, pool);
      const t = performance.now();
      counts[exercise(m, r)]++;
      slowest = Math.max(slowest, performance.now() - t);
    }
    const elapsed = performance.now() - started;
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    // Most mutations must be refused, and some must still decode (the fuzz reaches deep).
    expect(counts.refused).toBeGreaterThan(RUNS / 4);
    expect(counts.decoded).toBeGreaterThan(RUNS / 50);
    expect(slowest).toBeLessThan(250); // no input makes one parse hang
    expect(elapsed).toBeLessThan(120_000);
    expect(heapGrowth).toBeLessThan(256 * 1024 * 1024);
  }, 180_000);
});
