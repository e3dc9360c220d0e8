// The export spool: append-only segment files of checksummed records between the audit
// table and a collector. Records survive a collector outage and a broker restart; the
// delivered position is a small cursor file, so delivery resumes in order. A record whose
// checksum fails (disk damage, a hand edit) is reported and skipped; the rest is delivered.
//
// Record: `R <seq> <len> <crc32 hex>\n<payload>\n`, crc32 over "<seq>\n" + payload.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { RadgateError, wrapError } from '../../errors/index.js';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SpoolOptions {
  dir: string;
  /** always: every append is fsynced before it resolves (default); interval: at most every `fsyncIntervalMs`; never: left to the OS. */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** Start a new segment file past this size (default 16 MiB). */
  segmentBytes?: number;
  /** Told about damaged records (skipped) and torn tails (truncated). */
  onProblem?: (p: SpoolProblem) => void;
}

export interface SpoolProblem {
  kind: 'spool-corrupt' | 'spool-torn-tail' | 'spool-cursor-unreadable';
  segment: string;
  offset: number;
  bytes: number;
  message: string;
}

export interface SpoolPosition {
  segment: string;
  offset: number;
}

export interface SpoolRecord {
  seq: number;
  payload: Buffer;
  /** Position just after this record: ack(record.end) marks it delivered. */
  end: SpoolPosition;
}

export interface Spool {
  append(records: readonly { seq: number; payload: Buffer }[]): Promise<void>;
  /** Up to `max` records after the read position (which advances). */
  read(max: number): Promise<SpoolRecord[]>;
  /** Marks everything up to `pos` delivered (persisted); deletes fully delivered segments. */
  ack(pos: SpoolPosition, seq: number): Promise<void>;
  /** Moves the read position back to the delivered position (after a lost connection). */
  rewind(): void;
  /** Records appended and not yet acknowledged. */
  depth(): number;
  lastAppendedSeq(): number;
  lastAckedSeq(): number;
  close(): Promise<void>;
}

const SEG_RE = /^seg-(\d{16})\.spool$/;
const CURSOR = 'cursor.json';
const MAX_HEADER = 64;
const READ_CHUNK = 256 * 1024;

const segName = (n: number) => `seg-${String(n).padStart(16, '0')}.spool`;
const segNo = (name: string) => Number(SEG_RE.exec(name)?.[1] ?? NaN);

export function encodeRecord(seq: number, payload: Buffer): Buffer {
  const sum = crc32(payload, crc32(`${seq}\n`)).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(`R ${seq} ${payload.length} ${sum}\n`, 'ascii'), payload, Buffer.from('\n')]);
}

type Decoded = { ok: true; seq: number; payload: Buffer; size: number } | { ok: false; incomplete: boolean };

/** Decodes the record at `off`; `incomplete` when more bytes could still make it valid. */
export function decodeRecord(buf: Buffer, off: number): Decoded {
  const nl = buf.indexOf(0x0a, off);
  if (nl < 0) return { ok: false, incomplete: buf.length - off < MAX_HEADER };
  if (nl - off > MAX_HEADER) return { ok: false, incomplete: false };
  const m = /^R (\d{1,15}) (\d{1,9}) ([0-9a-f]{8})$/.exec(buf.subarray(off, nl).toString('latin1'));
  if (!m) return { ok: false, incomplete: false };
  const seq = Number(m[1]);
  const len = Number(m[2]);
  const start = nl + 1;
  if (buf.length < start + len + 1) return { ok: false, incomplete: true };
  if (buf[start + len] !== 0x0a) return { ok: false, incomplete: false };
  const payload = buf.subarray(start, start + len);
  const sum = crc32(payload, crc32(`${seq}\n`)).toString(16).padStart(8, '0');
  if (sum !== m[3]) return { ok: false, incomplete: false };
  return { ok: true, seq, payload, size: start + len + 1 - off };
}

export async function openSpool(o: SpoolOptions): Promise<Spool> {
  const dir = o.dir;
  const policy = o.fsync ?? 'always';
  const segmentBytes = o.segmentBytes ?? 16 * 1024 * 1024;
  const report = o.onProblem ?? (() => {});
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw wrapError('config-invalid', `export spool: cannot create ${dir}`, err);
  }
  const segments = () =>
    readdirSync(dir)
      .filter((f) => SEG_RE.test(f))
      .sort();

  // Delivered position.
  let acked: SpoolPosition & { seq: number } = { segment: segments()[0] ?? segName(1), offset: 0, seq: 0 };
  const cursorFile = path.join(dir, CURSOR);
  if (existsSync(cursorFile)) {
    try {
      const c = JSON.parse(readFileSync(cursorFile, 'utf8')) as { segment?: unknown; offset?: unknown; seq?: unknown };
      if (typeof c.segment !== 'string' || !SEG_RE.test(c.segment) || !Number.isInteger(c.offset) || !Number.isInteger(c.seq)) throw new Error('bad shape');
      acked = { segment: c.segment, offset: c.offset as number, seq: c.seq as number };
    } catch (err) {
      // Resending from the oldest segment only duplicates; never loses.
      report({ kind: 'spool-cursor-unreadable', segment: CURSOR, offset: 0, bytes: 0, message: `spool cursor unreadable (${(err as Error).message}); resending from the oldest record` });
    }
  }
  // A cursor naming a deleted segment means everything before the oldest segment was delivered.
  if (!existsSync(path.join(dir, acked.segment))) {
    const first = segments()[0];
    if (first && first > acked.segment) acked = { segment: first, offset: 0, seq: acked.seq };
  }

  // Scan pending records: count them, find the last seq, and cut a torn tail off the newest segment.
  let pending = 0;
  let lastSeq = acked.seq;
  const all = segments();
  for (const seg of all.filter((s) => s >= acked.segment)) {
    const buf = readFileSync(path.join(dir, seg));
    let off = seg === acked.segment ? Math.min(acked.offset, buf.length) : 0;
    let validEnd = off;
    while (off < buf.length) {
      const d = decodeRecord(buf, off);
      if (d.ok) {
        pending++;
        lastSeq = Math.max(lastSeq, d.seq);
        off += d.size;
        validEnd = off;
      } else {
        const next = findNextRecord(buf, off + 1);
        if (next < 0) break;
        off = next;
      }
    }
    if (seg === all.at(-1) && validEnd < buf.length) {
      const tailStart = Math.max(validEnd, lastValidEnd(buf));
      if (tailStart < buf.length) {
        report({ kind: 'spool-torn-tail', segment: seg, offset: tailStart, bytes: buf.length - tailStart, message: `spool segment ${seg}: ${buf.length - tailStart} bytes of an unfinished write cut off` });
        const fd = openSync(path.join(dir, seg), 'r+');
        try {
          ftruncateSync(fd, tailStart);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
    }
  }

  let writeSeg = all.at(-1) ?? segName(1);
  let writeSize = existsSync(path.join(dir, writeSeg)) ? statSync(path.join(dir, writeSeg)).size : 0;
  let fh: FileHandle = await open(path.join(dir, writeSeg), 'a', 0o600);
  let lastSync = 0;
  let dirty = false;
  let readPos: SpoolPosition = { segment: acked.segment, offset: acked.offset };
  let readFh: { seg: string; fh: FileHandle } | undefined;
  let closed = false;
  const reportedCorrupt = new Set<string>();

  const syncNow = async () => {
    if (!dirty) return;
    await fh.sync();
    dirty = false;
    lastSync = Date.now();
  };

  const segmentAfter = (seg: string) => segments().find((s) => s > seg);

  return {
    async append(records) {
      if (closed) throw new RadgateError('internal', 'export spool is closed');
      if (records.length === 0) return;
      if (writeSize >= segmentBytes) {
        await syncNow();
        await fh.close();
        writeSeg = segName(segNo(writeSeg) + 1);
        writeSize = 0;
        fh = await open(path.join(dir, writeSeg), 'a', 0o600);
        // The new file's directory entry must be durable too.
        fsyncDir(dir);
      }
      const buf = Buffer.concat(records.map((r) => encodeRecord(r.seq, r.payload)));
      await fh.write(buf);
      writeSize += buf.length;
      dirty = true;
      pending += records.length;
      for (const r of records) lastSeq = Math.max(lastSeq, r.seq);
      if (policy === 'always' || (policy === 'interval' && Date.now() - lastSync >= (o.fsyncIntervalMs ?? 1000))) await syncNow();
    },

    async read(max) {
      const out: SpoolRecord[] = [];
      while (out.length < max) {
        const segPath = path.join(dir, readPos.segment);
        if (!existsSync(segPath)) {
          const next = segmentAfter(readPos.segment);
          if (!next) break;
          readPos = { segment: next, offset: 0 };
          continue;
        }
        if (!readFh || readFh.seg !== readPos.segment) {
          await readFh?.fh.close();
          readFh = { seg: readPos.segment, fh: await open(segPath, 'r') };
        }
        let buf: Buffer = Buffer.alloc(READ_CHUNK);
        const { bytesRead } = await readFh.fh.read(buf, 0, READ_CHUNK, readPos.offset);
        buf = buf.subarray(0, bytesRead);
        const atEof = bytesRead < READ_CHUNK;
        if (bytesRead === 0) {
          // Finished segments are followed by a newer one; the write segment is never left.
          const next = readPos.segment === writeSeg ? undefined : segmentAfter(readPos.segment);
          if (!next) break;
          readPos = { segment: next, offset: 0 };
          continue;
        }
        let off = 0;
        while (off < buf.length && out.length < max) {
          let d = decodeRecord(buf, off);
          if (!d.ok && d.incomplete && !atEof) {
            if (off > 0) break; // re-read from this record
            buf = await readWhole(readFh.fh, readPos.offset); // one record larger than a chunk
            d = decodeRecord(buf, off);
          }
          if (d.ok) {
            off += d.size;
            out.push({ seq: d.seq, payload: Buffer.from(d.payload), end: { segment: readPos.segment, offset: readPos.offset + off } });
            continue;
          }
          // Damaged bytes: skip to the next record that verifies, and say so once.
          const next = findNextRecord(buf, off + 1);
          // In the write segment an unfinished last record is a write in progress, not damage.
          if (d.incomplete && readPos.segment === writeSeg && next < 0) break;
          const skipTo = next < 0 ? buf.length : next;
          const key = `${readPos.segment}:${readPos.offset + off}`;
          if (!reportedCorrupt.has(key)) {
            reportedCorrupt.add(key);
            report({
              kind: 'spool-corrupt',
              segment: readPos.segment,
              offset: readPos.offset + off,
              bytes: skipTo - off,
              message: `spool segment ${readPos.segment}: ${skipTo - off} damaged bytes at offset ${readPos.offset + off} skipped`,
            });
          }
          off = skipTo;
        }
        readPos = { segment: readPos.segment, offset: readPos.offset + off };
        if (off === 0) break;
      }
      return out;
    },

    async ack(pos, seq) {
      const delivered = countBetween(acked, pos);
      acked = { ...pos, seq: Math.max(acked.seq, seq) };
      pending = Math.max(0, pending - delivered);
      const tmp = `${cursorFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(acked), { mode: 0o600 });
      const fd = openSync(tmp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, cursorFile);
      for (const s of segments()) if (s < pos.segment) rmSync(path.join(dir, s), { force: true });
    },

    rewind() {
      readPos = { segment: acked.segment, offset: acked.offset };
    },
    depth: () => pending,
    lastAppendedSeq: () => lastSeq,
    lastAckedSeq: () => acked.seq,
    async close() {
      if (closed) return;
      closed = true;
      await syncNow().catch(() => undefined);
      await fh.close();
      await readFh?.fh.close();
    },
  };

  /** Records between two positions, counted from the files (acks are rare, once a second at most). */
  function countBetween(from: SpoolPosition, to: SpoolPosition): number {
    let n = 0;
    for (const seg of segments()) {
      if (seg < from.segment || seg > to.segment) continue;
      const buf = readFileSync(path.join(dir, seg));
      let off = seg === from.segment ? from.offset : 0;
      const end = seg === to.segment ? Math.min(to.offset, buf.length) : buf.length;
      while (off < end) {
        const d = decodeRecord(buf, off);
        if (d.ok) {
          n++;
          off += d.size;
        } else {
          const next = findNextRecord(buf, off + 1);
          if (next < 0 || next >= end) break;
          off = next;
        }
      }
    }
    return n;
  }
}

/** Offset of the next record that verifies at or after `from`, or -1. */
function findNextRecord(buf: Buffer, from: number): number {
  let i = from;
  for (;;) {
    const at = buf.indexOf('\nR ', i - 1, 'latin1');
    if (at < 0) return -1;
    const cand = at + 1;
    if (cand >= from) {
      // A record cut off by the end of the buffer may still be whole on disk.
      const d = decodeRecord(buf, cand);
      if (d.ok || d.incomplete) return cand;
    }
    i = cand + 1;
  }
}

/** End of the last record that verifies (for cutting a torn tail). */
function lastValidEnd(buf: Buffer): number {
  let off = 0;
  let end = 0;
  while (off < buf.length) {
    const d = decodeRecord(buf, off);
    if (d.ok) {
      off += d.size;
      end = off;
    } else {
      const next = findNextRecord(buf, off + 1);
      if (next < 0) break;
      off = next;
    }
  }
  return end;
}

async function readWhole(fh: FileHandle, offset: number): Promise<Buffer> {
  const { size } = await fh.stat();
  const buf = Buffer.alloc(Math.max(0, size - offset));
  await fh.read(buf, 0, buf.length, offset);
  return buf;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system lets a directory be fsynced; the data itself is.
  }
}
