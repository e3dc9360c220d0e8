// Reads the tunnel preface from a fresh TLS connection: bounded in size by the parser
// (it decides within MAX_PREFACE_BYTES) and in time by `timeoutMs`. Leaves the socket paused.
import type { TLSSocket } from 'node:tls';
import { parsePreface, type PrefaceResult } from './preface.js';

export type ReadPrefaceResult = Exclude<PrefaceResult, { status: 'need-more' }> | { status: 'error'; reason: 'preface-timeout'; detail: string };

export function readPreface(socket: TLSSocket, timeoutMs: number): Promise<ReadPrefaceResult> {
  return new Promise((resolve) => {
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (r: ReadPrefaceResult) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ status: 'error', reason: 'preface-timeout', detail: `no complete preface within ${timeoutMs} ms` }), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const r = parsePreface(buffered);
      if (r.status !== 'need-more') finish(r);
    };
    const onEnd = () => finish({ status: 'error', reason: 'preface-malformed', detail: 'the connection closed before the preface was complete' });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}
