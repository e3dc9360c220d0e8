// Optional per-target recording of a tunnel's raw byte stream (for unencrypted service
// protocols), to one file per connection:
//   "RGREC1\n" | one JSON line of metadata | frames
//   frame = u8 direction (0 client→target, 1 target→client) | u32be ms since start | u32be length | bytes
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface SessionRecorder {
  readonly file: string;
  write(direction: 0 | 1, chunk: Buffer): void;
  close(): Promise<void>;
}

export const RECORDING_MAGIC = 'RGREC1\n';

/** Where a connection's recording goes: `<dir>/<connection id>.rgrec`. */
export const recordingFile = (dir: string, connection: string): string => path.join(dir, `${connection}.rgrec`);

export function openRecorder(file: string, meta: Record<string, unknown>, clock: () => number): SessionRecorder {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const out: WriteStream = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  const started = clock();
  out.on('error', () => undefined); // a failed recording must not take the tunnel down; the audit names the file
  out.write(RECORDING_MAGIC + JSON.stringify({ ...meta, startedAt: new Date(started).toISOString() }) + '\n');
  return {
    file,
    write(direction, chunk) {
      const h = Buffer.alloc(9);
      h[0] = direction;
      h.writeUInt32BE(Math.min(0xffffffff, Math.max(0, clock() - started)), 1);
      h.writeUInt32BE(chunk.length, 5);
      out.write(h);
      out.write(chunk);
    },
    close: () => new Promise<void>((resolve) => out.end(() => resolve())),
  };
}

/** Reads a recording back (tests, review tooling). */
export function readRecording(buf: Buffer): { meta: Record<string, unknown>; frames: { direction: number; atMs: number; data: Buffer }[] } {
  if (!buf.subarray(0, RECORDING_MAGIC.length).equals(Buffer.from(RECORDING_MAGIC))) throw new Error('not a radgate recording');
  const nl = buf.indexOf(0x0a, RECORDING_MAGIC.length);
  if (nl < 0) throw new Error('truncated recording header');
  const meta = JSON.parse(buf.subarray(RECORDING_MAGIC.length, nl).toString('utf8')) as Record<string, unknown>;
  const frames: { direction: number; atMs: number; data: Buffer }[] = [];
  let at = nl + 1;
  while (at + 9 <= buf.length) {
    const len = buf.readUInt32BE(at + 5);
    if (at + 9 + len > buf.length) throw new Error('truncated recording frame');
    frames.push({ direction: buf[at]!, atMs: buf.readUInt32BE(at + 1), data: buf.subarray(at + 9, at + 9 + len) });
    at += 9 + len;
  }
  if (at !== buf.length) throw new Error('trailing bytes in recording');
  return { meta, frames };
}
