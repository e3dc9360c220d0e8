// DIMSE command sets (PS3.7 E.1): group 0000, always implicit VR little endian. Bounded
// decoding of the fields the gateway decides on, and encoding of its own responses.
import { NO_DATASET } from './constants.js';

export interface CommandSet {
  commandField: number;
  messageId?: number;
  messageIdBeingRespondedTo?: number;
  affectedSopClass?: string;
  requestedSopClass?: string;
  affectedSopInstance?: string;
  moveDestination?: string;
  priority?: number;
  /** 0x0101: no data set follows. */
  dataSetType: number;
  status?: number;
  remaining?: number;
  completed?: number;
  failed?: number;
  warning?: number;
  moveOriginatorAe?: string;
  moveOriginatorMessageId?: number;
  errorComment?: string;
}

export type CommandSetError = 'command-truncated' | 'command-element-invalid' | 'command-order' | 'command-field-missing' | 'command-too-large';

type Field = { key: keyof CommandSet; vr: 'US' | 'UI' | 'AE' | 'LO' };

/** (0000,eeee) element number → field; every other group-0000 element is skipped. */
const FIELDS = new Map<number, Field>([
  [0x0002, { key: 'affectedSopClass', vr: 'UI' }],
  [0x0003, { key: 'requestedSopClass', vr: 'UI' }],
  [0x0100, { key: 'commandField', vr: 'US' }],
  [0x0110, { key: 'messageId', vr: 'US' }],
  [0x0120, { key: 'messageIdBeingRespondedTo', vr: 'US' }],
  [0x0600, { key: 'moveDestination', vr: 'AE' }],
  [0x0700, { key: 'priority', vr: 'US' }],
  [0x0800, { key: 'dataSetType', vr: 'US' }],
  [0x0900, { key: 'status', vr: 'US' }],
  [0x0902, { key: 'errorComment', vr: 'LO' }],
  [0x1000, { key: 'affectedSopInstance', vr: 'UI' }],
  [0x1020, { key: 'remaining', vr: 'US' }],
  [0x1021, { key: 'completed', vr: 'US' }],
  [0x1022, { key: 'failed', vr: 'US' }],
  [0x1023, { key: 'warning', vr: 'US' }],
  [0x1030, { key: 'moveOriginatorAe', vr: 'AE' }],
  [0x1031, { key: 'moveOriginatorMessageId', vr: 'US' }],
]);

/** Commands are small; anything larger is an attack or a broken peer. */
export const MAX_COMMAND_LENGTH = 16 * 1024;

export function decodeCommandSet(buf: Buffer, maxLength = MAX_COMMAND_LENGTH): { ok: true; value: CommandSet } | { ok: false; error: CommandSetError; detail: string } {
  const bad = (error: CommandSetError, detail: string) => ({ ok: false as const, error, detail });
  if (buf.length > maxLength) return bad('command-too-large', `command set of ${buf.length} bytes`);
  const out: Partial<CommandSet> = {};
  let off = 0;
  let last = -1;
  while (off < buf.length) {
    // PS3.5 7.1.2: tag (4), value length (4), value.
    if (buf.length - off < 8) return bad('command-truncated', 'element header cut short');
    const group = buf.readUInt16LE(off);
    const element = buf.readUInt16LE(off + 2);
    const len = buf.readUInt32LE(off + 4);
    if (group !== 0x0000) return bad('command-element-invalid', `element (${hex(group)},${hex(element)}) outside group 0000`);
    // PS3.5 7.1: elements in ascending tag order, each once.
    if (element <= last) return bad('command-order', `element (0000,${hex(element)}) out of order`);
    last = element;
    if (len > buf.length - off - 8) return bad('command-truncated', `element (0000,${hex(element)}) runs past the command set`);
    const v = buf.subarray(off + 8, off + 8 + len);
    off += 8 + len;
    const f = FIELDS.get(element);
    if (!f) continue;
    if (f.vr === 'US') {
      if (len !== 2) return bad('command-element-invalid', `(0000,${hex(element)}) US of length ${len}`);
      (out as Record<string, unknown>)[f.key] = v.readUInt16LE(0);
    } else {
      const s = v.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
      // Control characters have no place in UIDs, AE titles or comments.
      if (/[\x00-\x1f\x7f]/.test(s) || (f.vr === 'UI' && s !== '' && !/^[0-9]+(\.[0-9]+)*$/.test(s)) || (f.vr === 'AE' && (s.length > 16 || s.includes('\\')))) {
        return bad('command-element-invalid', `(0000,${hex(element)}) is not a valid ${f.vr}`);
      }
      (out as Record<string, unknown>)[f.key] = s;
    }
  }
  if (out.commandField === undefined) return bad('command-field-missing', 'no CommandField (0000,0100)');
  return { ok: true, value: { ...out, commandField: out.commandField, dataSetType: out.dataSetType ?? NO_DATASET } };
}

export function encodeCommandSet(c: CommandSet): Buffer {
  const elements: Buffer[] = [];
  const sorted = [...FIELDS.entries()].sort((a, b) => a[0] - b[0]);
  for (const [element, f] of sorted) {
    const value = c[f.key];
    if (value === undefined) continue;
    let v: Buffer;
    if (f.vr === 'US') {
      v = Buffer.alloc(2);
      v.writeUInt16LE(value as number, 0);
    } else {
      v = Buffer.from(String(value), 'latin1');
      // PS3.5 6.2: even length; UI pads with NUL, text with space.
      if (v.length % 2 === 1) v = Buffer.concat([v, Buffer.from([f.vr === 'UI' ? 0 : 0x20])]);
    }
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0, 0);
    h.writeUInt16LE(element, 2);
    h.writeUInt32LE(v.length, 4);
    elements.push(h, v);
  }
  const body = Buffer.concat(elements);
  // (0000,0000) CommandGroupLength, UL: the length of everything after it.
  const gl = Buffer.alloc(12);
  gl.writeUInt32LE(4, 4);
  gl.writeUInt32LE(body.length, 8);
  return Buffer.concat([gl, body]);
}

/** PS3.7 C.4-C.5 responses: the request's command field with bit 15 set. */
export function responseFor(rq: CommandSet, status: number, extra: Partial<CommandSet> = {}): CommandSet {
  const r: CommandSet = { commandField: rq.commandField | 0x8000, dataSetType: NO_DATASET, status, ...extra };
  if (rq.affectedSopClass !== undefined) r.affectedSopClass = rq.affectedSopClass;
  if (rq.messageId !== undefined) r.messageIdBeingRespondedTo = rq.messageId;
  if (rq.affectedSopInstance !== undefined) r.affectedSopInstance = rq.affectedSopInstance;
  return r;
}

const hex = (n: number) => n.toString(16).padStart(4, '0');
