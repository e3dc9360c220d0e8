// Synthetic DICOMweb upstream for the dicomweb bench (node:http, keep-alive), run as its own
// process so its CPU never shares an event loop with the proxy under test. It serves only
// what the bench asks for: a 50 MiB multipart/related study retrieval (paced by a token
// bucket for one study UID, unpaced for another), ~1 KiB QIDO answers, and the study-facts
// QIDO the gateway sends before deciding a retrieval.
import { randomFillSync } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Study served paced to `throttleBytesPerSec`. */
export const THROTTLED_STUDY = '1.2.826.0.1.3680043.10.1001.1';
/** Study served as fast as the connection takes it. */
export const FAST_STUDY = '1.2.826.0.1.3680043.10.1001.2';
export const BOUNDARY = 'RADGATEBENCHBOUNDARY';
export const STUDY_CONTENT_TYPE = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`;

export interface UpstreamOptions {
  studyBytes: number;
  throttleBytesPerSec: number;
  /** Token bucket depth; pacing stays exact as long as timers fire within depth/rate. */
  burstBytes: number;
  /** `chunked` (as Orthanc streams multipart answers) or a `Content-Length` body. */
  framing: 'chunked' | 'length';
  chunkBytes: number;
}

/** A multipart/related body of DICOM-looking parts (preamble + DICM + noise), exactly `total` bytes. */
export function multipartStudy(total: number, parts = 50): Buffer {
  const head = (n: number) => Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\nContent-Length: ${n}\r\n\r\n`, 'latin1');
  const tail = Buffer.from(`--${BOUNDARY}--\r\n`, 'latin1');
  // Solve for equal part sizes, the last one taking the remainder (header lengths vary with digits).
  const guess = Math.floor((total - tail.length) / parts) - head(1_000_000).length - 2;
  const sizes = Array.from({ length: parts }, () => guess);
  const used = () => sizes.reduce((s, n) => s + head(n).length + n + 2, 0) + tail.length;
  sizes[parts - 1]! += total - used();
  if (used() !== total) sizes[parts - 1]! += total - used();
  if (used() !== total || sizes[parts - 1]! < 132) throw new Error(`cannot lay out ${total} bytes in ${parts} parts`);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const n of sizes) {
    at += head(n).copy(out, at);
    out.fill(0, at, at + 128);
    out.write('DICM', at + 128, 'latin1');
    randomFillSync(out, at + 132, n - 132);
    at += n;
    at += out.write('\r\n', at, 'latin1');
  }
  tail.copy(out, at);
  return out;
}

/** ~1 KiB study-level QIDO answer: two radiology studies, DICOM JSON (PS3.18 F.2). */
export function qidoBody(): Buffer {
  const study = (uid: string, name: string) => ({
    '00080020': { vr: 'DA', Value: ['20240315'] },
    '00080050': { vr: 'SH', Value: ['ACC' + uid.slice(-4)] },
    '00080061': { vr: 'CS', Value: ['CT'] },
    '00080080': { vr: 'LO', Value: ['St Mary Hospital'] },
    '00081040': { vr: 'LO', Value: ['RADIOLOGY'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00100020': { vr: 'LO', Value: ['BENCH-' + uid.slice(-4)] },
    '0020000D': { vr: 'UI', Value: [uid] },
    '00201206': { vr: 'IS', Value: [2] },
    '00201208': { vr: 'IS', Value: [512] },
  });
  let body = JSON.stringify([study(THROTTLED_STUDY, 'Bench^Alpha'), study(FAST_STUDY, 'Bench^Beta')]);
  // Pad inside a string value to exactly 1024 bytes, keeping it valid JSON.
  body = body.replace('St Mary Hospital', 'St Mary Hospital' + ' '.repeat(Math.max(0, 1024 - Buffer.byteLength(body))));
  return Buffer.from(body, 'utf8');
}

function factsBody(uid: string): Buffer {
  return Buffer.from(JSON.stringify([{ '0020000D': { vr: 'UI', Value: [uid] }, '00081040': { vr: 'LO', Value: ['RADIOLOGY'] }, '00080080': { vr: 'LO', Value: ['St Mary Hospital'] } }]));
}

function sendStudy(res: ServerResponse, body: Buffer, o: UpstreamOptions, paced: boolean): void {
  res.statusCode = 200;
  res.setHeader('content-type', STUDY_CONTENT_TYPE);
  if (o.framing === 'length') res.setHeader('content-length', body.length);
  let at = 0;
  let tokens = o.burstBytes;
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  res.once('close', () => clearTimeout(timer));
  const pump = () => {
    timer = undefined;
    if (res.destroyed) return;
    if (paced) {
      const now = performance.now();
      tokens = Math.min(o.burstBytes, tokens + ((now - last) / 1000) * o.throttleBytesPerSec);
      last = now;
    }
    while (at < body.length) {
      const n = Math.min(o.chunkBytes, body.length - at);
      if (paced && tokens < n) {
        timer = setTimeout(pump, Math.max(1, Math.ceil(((n - tokens) / o.throttleBytesPerSec) * 1000)));
        return;
      }
      if (paced) tokens -= n;
      const more = res.write(body.subarray(at, at + n));
      at += n;
      if (!more && at < body.length) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

export async function startUpstream(o: UpstreamOptions): Promise<{ port: number; close(): void; requests: () => number }> {
  const study = multipartStudy(o.studyBytes);
  const qido = qidoBody();
  let requests = 0;
  const server = createServer({ keepAlive: true, keepAliveTimeout: 120_000, headersTimeout: 125_000, requestTimeout: 0 }, (req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://upstream');
    const p = url.pathname;
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (p === `/dicom-web/studies/${THROTTLED_STUDY}`) return sendStudy(res, study, o, true);
    if (p === `/dicom-web/studies/${FAST_STUDY}`) return sendStudy(res, study, o, false);
    if (p === '/dicom-web/studies' || /^\/dicom-web\/studies\/[0-9.]+\/series$/.test(p)) {
      const uids = url.searchParams.get('StudyInstanceUID');
      // The gateway's study-facts lookup names the studies and asks for the department.
      const body = uids && url.searchParams.getAll('includefield').includes('00081040') ? Buffer.concat([Buffer.from('['), ...uids.split(',').flatMap((u, i) => [...(i ? [Buffer.from(',')] : []), factsBody(u).subarray(1, -1)]), Buffer.from(']')]) : qido;
      res.writeHead(200, { 'content-type': 'application/dicom+json', 'content-length': body.length });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not in the bench upstream\n');
  });
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

// As a child process: start from the options in argv[2] (JSON), report the port over IPC.
if (process.send && process.argv[2] === '--child') {
  const opts = JSON.parse(process.argv[3] ?? '{}') as UpstreamOptions;
  const up = await startUpstream(opts);
  process.on('message', (m: { id: number; cmd: string }) => {
    if (m.cmd === 'cpu') process.send!({ id: m.id, ok: true, result: { cpu: process.cpuUsage(), requests: up.requests() } });
    else if (m.cmd === 'close') {
      up.close();
      process.send!({ id: m.id, ok: true, result: null }, () => process.exit(0));
    }
  });
  process.send({ ready: true, port: up.port, pid: process.pid });
}
