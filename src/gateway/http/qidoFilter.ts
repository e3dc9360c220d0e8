// QIDO result filtering: a DICOM JSON response (a top-level array of objects) is split into
// its elements while it streams, each element's study is decided, and only allowed elements
// are passed on. Memory is bounded by one chunk's elements plus one element of at most
// `maxElementBytes`; decisions for a chunk's elements are made as one batch and released
// only after their audit records are durable.
import { Transform, type TransformCallback } from 'node:stream';
import { studyFactsOf, type StudyFacts } from './studyDirectory.js';

/** Incremental splitter of a JSON array into the raw bytes of its top-level elements. */
export class JsonArraySplitter {
  private state: 'start' | 'between' | 'element' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: Buffer[] = [];
  private size = 0;
  /** After an element: expecting `,` or `]` (true) vs expecting an element (false). */
  private afterElement = false;

  constructor(private readonly maxElementBytes = 1024 * 1024) {}

  /** Feeds bytes; returns the elements completed in this chunk. Throws on malformed framing. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let start = -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.state === 'element') {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (b === 0x5c) this.escape = true;
          else if (b === 0x22) this.inString = false;
          continue;
        }
        if (b === 0x22) this.inString = true;
        else if (b === 0x7b || b === 0x5b) this.depth++;
        else if (b === 0x7d || b === 0x5d) {
          this.depth--;
          if (this.depth === 0) {
            const piece = chunk.subarray(start < 0 ? 0 : start, i + 1);
            this.parts.push(piece);
            this.size += piece.length;
            this.check();
            out.push(this.parts.length === 1 ? Buffer.from(this.parts[0]!) : Buffer.concat(this.parts));
            this.parts = [];
            this.size = 0;
            start = -1;
            this.state = 'between';
            this.afterElement = true;
          }
        }
        continue;
      }
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      if (this.state === 'start') {
        if (b !== 0x5b) throw new Error('QIDO response is not a JSON array');
        this.state = 'between';
        this.afterElement = false;
        continue;
      }
      if (this.state === 'done') throw new Error('data after the end of the QIDO array');
      // between elements
      if (b === 0x5d) {
        this.state = 'done';
        continue;
      }
      if (this.afterElement) {
        if (b !== 0x2c) throw new Error('QIDO array elements must be separated by commas');
        this.afterElement = false;
        continue;
      }
      if (b !== 0x7b) throw new Error('QIDO array elements must be objects');
      this.state = 'element';
      this.depth = 1;
      start = i;
    }
    if (this.state === 'element') {
      const piece = chunk.subarray(start < 0 ? 0 : start);
      this.parts.push(piece);
      this.size += piece.length;
      this.check();
    }
    return out;
  }

  /** True once the closing bracket was seen. */
  get complete(): boolean {
    return this.state === 'done';
  }

  private check(): void {
    if (this.size > this.maxElementBytes) throw new Error(`a QIDO result element exceeds ${this.maxElementBytes} bytes`);
  }
}

export interface StudyVerdict {
  allow: boolean;
  /** Resolves when the decision's audit record is durable. */
  durable: Promise<unknown>;
}

export interface QidoFilterOptions {
  /** Decides a batch of studies (facts from the element itself, or looked up). */
  decide(items: { uid: string; facts: StudyFacts }[]): Promise<StudyVerdict[]>;
  maxElementBytes?: number;
  /** Called with counts when the stream ends. */
  onDone?(counts: { passed: number; withheld: number }): void;
}

/** A Transform from the PACS's QIDO JSON to the same JSON with denied studies left out. */
export function createQidoFilter(o: QidoFilterOptions): Transform {
  const splitter = new JsonArraySplitter(o.maxElementBytes);
  let opened = false;
  let first = true;
  let passed = 0;
  let withheld = 0;
  const open = (t: Transform) => {
    if (!opened) {
      opened = true;
      t.push('[');
    }
  };
  return new Transform({
    transform(this: Transform, chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      let elements: Buffer[];
      try {
        elements = splitter.push(chunk);
      } catch (err) {
        cb(err as Error);
        return;
      }
      open(this);
      if (elements.length === 0) return cb();
      const items: { raw: Buffer; uid: string; facts: StudyFacts }[] = [];
      for (const raw of elements) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          cb(new Error('a QIDO result element is not valid JSON'));
          return;
        }
        const f = studyFactsOf(parsed);
        // No StudyInstanceUID: nothing to decide on, so it is withheld (fail closed).
        if (f) items.push({ raw, uid: f.uid, facts: f.facts });
        else withheld++;
      }
      o.decide(items.map(({ uid, facts }) => ({ uid, facts }))).then(
        async (verdicts) => {
          await Promise.all(verdicts.filter((v) => v.allow).map((v) => v.durable));
          items.forEach((item, i) => {
            if (!verdicts[i]?.allow) {
              withheld++;
              return;
            }
            passed++;
            this.push(first ? item.raw : Buffer.concat([Buffer.from(','), item.raw]));
            first = false;
          });
          cb();
        },
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
    flush(this: Transform, cb: TransformCallback) {
      if (!splitter.complete && opened) {
        cb(new Error('the QIDO response ended before its closing bracket'));
        return;
      }
      open(this);
      this.push(']');
      o.onDone?.({ passed, withheld });
      cb();
    },
  });
}

/**
 * The same filter for a small answer already in memory: one batch of decisions and one
 * body, so the client gets it in one write with a Content-Length (cheaper than streaming
 * a few hundred bytes through four TLS records).
 */
export async function filterQidoBody(body: Buffer, o: Pick<QidoFilterOptions, 'decide' | 'maxElementBytes'>): Promise<{ body: Buffer; passed: number; withheld: number }> {
  const splitter = new JsonArraySplitter(o.maxElementBytes);
  const elements = body.length === 0 ? [] : splitter.push(body);
  if (body.length > 0 && !splitter.complete) throw new Error('the QIDO response ended before its closing bracket');
  const items: { raw: Buffer; uid: string; facts: StudyFacts }[] = [];
  let withheld = 0;
  for (const raw of elements) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new Error('a QIDO result element is not valid JSON');
    }
    const f = studyFactsOf(parsed);
    if (f) items.push({ raw, uid: f.uid, facts: f.facts });
    else withheld++;
  }
  const verdicts = items.length > 0 ? await o.decide(items.map(({ uid, facts }) => ({ uid, facts }))) : [];
  await Promise.all(verdicts.filter((v) => v.allow).map((v) => v.durable));
  const out: Buffer[] = [Buffer.from('[')];
  let passed = 0;
  items.forEach((item, i) => {
    if (!verdicts[i]?.allow) {
      withheld++;
      return;
    }
    if (passed > 0) out.push(Buffer.from(','));
    out.push(item.raw);
    passed++;
  });
  out.push(Buffer.from(']'));
  return { body: Buffer.concat(out), passed, withheld };
}
