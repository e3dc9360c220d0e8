// The export spool under damage (a record corrupted by hand, a torn tail) and a collector
// that closes mid-frame: damage is detected, reported and skipped, the rest is delivered,
// and a frame cut off by the collector is sent again whole.
import { appendFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyslogSender } from '../../../src/audit/export/createSyslogSender.js';
import { openSpool, type SpoolProblem } from '../../../src/audit/export/openSpool.js';
import { parseOctetFrames, parseSyslogMessage, syslogMessage } from '../../../src/audit/export/syslogFrame.js';
import { tmpHome } from '../../helpers/tmpHome.js';
import { makePki, waitFor, type TestPki } from './helpers.js';

const dir = tmpHome('radgate-spool-');
let pki: TestPki;
beforeAll(() => {
  pki = makePki(path.join(dir, 'pki'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const payload = (seq: number) => Buffer.from(syslogMessage({ hostname: 'h', appName: 'radgate', procId: '1' }, { severity: 5, time: new Date(0).toISOString(), seq, msg: `<AuditMessage n="${seq}"/>` }));

describe('export spool', () => {
  it('keeps records across reopen and delivers them in order after the acknowledged position', async () => {
    const d = path.join(dir, 's1');
    let spool = await openSpool({ dir: d, segmentBytes: 400 });
    await spool.append([1, 2, 3, 4, 5].map((s) => ({ seq: s, payload: payload(s) })));
    const firstTwo = await spool.read(2);
    await spool.ack(firstTwo[1]!.end, firstTwo[1]!.seq);
    await spool.append([6, 7].map((s) => ({ seq: s, payload: payload(s) })));
    await spool.close();
    spool = await openSpool({ dir: d, segmentBytes: 400 });
    expect(spool.depth()).toBe(5);
    expect((await spool.read(100)).map((r) => r.seq)).toEqual([3, 4, 5, 6, 7]);
    spool.rewind();
    expect((await spool.read(1)).map((r) => r.seq)).toEqual([3]);
    await spool.close();
  });

  it('detects a record corrupted by hand, reports it, skips it and delivers the rest', async () => {
    const d = path.join(dir, 's2');
    let spool = await openSpool({ dir: d });
    await spool.append(Array.from({ length: 10 }, (_, i) => ({ seq: i + 1, payload: payload(i + 1) })));
    await spool.close();
    const seg = path.join(d, readdirSync(d).find((f) => f.startsWith('seg-'))!);
    const buf = readFileSync(seg);
    const at = buf.indexOf('n="4"');
    buf.write('X', at + 3); // flips a payload byte of record 4
    const h7 = buf.indexOf('R 7 ');
    buf.write('R 7 9', h7); // and breaks record 7's header
    writeFileSync(seg, buf);
    const problems: SpoolProblem[] = [];
    spool = await openSpool({ dir: d, onProblem: (p) => problems.push(p) });
    const seqs = (await spool.read(100)).map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 3, 5, 6, 8, 9, 10]);
    expect(problems.filter((p) => p.kind === 'spool-corrupt').length).toBe(2);
    expect(problems[0]!.message).toMatch(/damaged bytes/);
    await spool.close();
  });

  it('cuts off a torn tail (a write interrupted by a crash) and keeps appending after it', async () => {
    const d = path.join(dir, 's3');
    let spool = await openSpool({ dir: d });
    await spool.append([1, 2].map((s) => ({ seq: s, payload: payload(s) })));
    await spool.close();
    const seg = path.join(d, readdirSync(d).find((f) => f.startsWith('seg-'))!);
    appendFileSync(seg, 'R 3 500 0000abcd\n<85>1 half a rec');
    const problems: SpoolProblem[] = [];
    spool = await openSpool({ dir: d, onProblem: (p) => problems.push(p) });
    expect(problems.map((p) => p.kind)).toEqual(['spool-torn-tail']);
    await spool.append([{ seq: 3, payload: payload(3) }]);
    expect((await spool.read(10)).map((r) => r.seq)).toEqual([1, 2, 3]);
    await spool.close();
  });

  it('resends from the start after an unreadable cursor file (duplicates, never loss)', async () => {
    const d = path.join(dir, 's4');
    let spool = await openSpool({ dir: d });
    await spool.append([1, 2, 3].map((s) => ({ seq: s, payload: payload(s) })));
    const r = await spool.read(2);
    await spool.ack(r[1]!.end, 2);
    await spool.close();
    writeFileSync(path.join(d, 'cursor.json'), '{"segment": 12');
    const problems: SpoolProblem[] = [];
    spool = await openSpool({ dir: d, onProblem: (p) => problems.push(p) });
    expect(problems[0]!.kind).toBe('spool-cursor-unreadable');
    expect((await spool.read(10)).map((x) => x.seq)).toEqual([1, 2, 3]);
    await spool.close();
  });
});

describe('collector closing mid-frame', () => {
  it('sends the cut frame again whole on the next connection; every frame parses', async () => {
    const received: Buffer[] = [];
    let connections = 0;
    const server = createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), minVersion: 'TLSv1.2' }, (s: TLSSocket) => {
      const n = ++connections;
      let got = 0;
      s.on('data', (d: Buffer) => {
        if (n === 1) {
          // First connection: take part of the first frame, then drop the connection.
          received.push(d.subarray(0, Math.min(d.length, 37 - got)));
          got += d.length;
          s.destroy();
        } else {
          received.push(d);
        }
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const spool = await openSpool({ dir: path.join(dir, 'mid') });
    await spool.append(Array.from({ length: 8 }, (_, i) => ({ seq: i + 1, payload: payload(i + 1) })));
    const sender = createSyslogSender({ host: '127.0.0.1', port, ca: readFileSync(pki.caCert), spool, settleMs: 200, minBackoffMs: 50 });
    try {
      await waitFor(() => connections >= 2 && spool.depth() === 0, 10_000, 'delivery on a second connection');
      const all = Buffer.concat(received);
      // The first 37 bytes are the torn frame; the second connection starts with a whole frame.
      const secondStart = received[0]!.length;
      const { frames, rest } = parseOctetFrames(all.subarray(secondStart));
      expect(rest.length).toBe(0);
      expect(frames.map((f) => parseSyslogMessage(f)!.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await sender.close();
      await spool.close();
      server.close();
    }
  });
});
