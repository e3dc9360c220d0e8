// Incremental PDU framing from a byte stream: chunks in, whole PDUs out. The header is
// judged as soon as it arrives (unknown type, length over the limit), so a peer cannot
// make the gateway buffer more than one PDU of the negotiated maximum size. A PDU that
// lies inside one chunk is returned as a view of it (no copy).
import { ABORT_REASON, PDU } from './constants.js';
import { PDU_HEADER_LENGTH, pduError } from './decodePdu.js';
import type { PduError } from './pduTypes.js';

export interface RawPdu {
  type: number;
  /** Header and body. */
  raw: Buffer;
}

export interface PduReaderLimits {
  /** Largest P-DATA-TF body accepted (the max length this side advertised; PS3.8 D.1). */
  maxPduLength: number;
  /** Largest A-ASSOCIATE-RQ/AC body accepted. */
  maxAssociateLength: number;
}

export interface PduReader {
  push(chunk: Buffer): void;
  /** The next whole PDU, an error (the stream is then unusable), or undefined until more bytes arrive. */
  next(): RawPdu | PduError | undefined;
  setLimits(limits: Partial<PduReaderLimits>): void;
  /** Bytes held that do not yet form a PDU. */
  readonly buffered: number;
}

export function isPduError(x: RawPdu | PduError | undefined): x is PduError {
  return x !== undefined && 'code' in x;
}

export function createPduReader(initial: PduReaderLimits): PduReader {
  const limits = { ...initial };
  const chunks: Buffer[] = [];
  let total = 0;
  let failed: PduError | undefined;

  const peekHeader = (): Buffer => {
    const first = chunks[0]!;
    if (first.length >= PDU_HEADER_LENGTH) return first;
    return Buffer.concat(chunks, Math.min(total, 64)).subarray(0, PDU_HEADER_LENGTH);
  };

  const take = (n: number): Buffer => {
    const first = chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
      total -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = chunks[0]!;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) chunks.shift();
      else chunks[0] = c.subarray(k);
    }
    total -= n;
    return out;
  };

  const judge = (type: number, length: number): PduError | undefined => {
    switch (type) {
      case PDU.associateRq:
      case PDU.associateAc:
        return length > limits.maxAssociateLength ? pduError('pdu-too-long', `association PDU of ${length} bytes exceeds ${limits.maxAssociateLength}`) : undefined;
      case PDU.pData:
        return length > limits.maxPduLength ? pduError('pdu-too-long', `P-DATA-TF of ${length} bytes exceeds the maximum length ${limits.maxPduLength}`) : undefined;
      case PDU.associateRj:
      case PDU.releaseRq:
      case PDU.releaseRp:
      case PDU.abort:
        return length !== 4 ? pduError('pdu-length-mismatch', `PDU type ${type} with length ${length}, expected 4`) : undefined;
      default:
        return pduError('pdu-type-unknown', `unknown PDU type 0x${type.toString(16)}`, ABORT_REASON.unrecognizedPdu);
    }
  };

  return {
    push(chunk) {
      if (failed || chunk.length === 0) return;
      chunks.push(chunk);
      total += chunk.length;
    },
    next() {
      if (failed) return failed;
      if (total < PDU_HEADER_LENGTH) return undefined;
      const h = peekHeader();
      const type = h[0]!;
      const length = h.readUInt32BE(2);
      const bad = judge(type, length);
      if (bad) {
        failed = bad;
        chunks.length = 0;
        total = 0;
        return bad;
      }
      if (total < PDU_HEADER_LENGTH + length) return undefined;
      return { type, raw: take(PDU_HEADER_LENGTH + length) };
    },
    setLimits(l) {
      Object.assign(limits, l);
    },
    get buffered() {
      return total;
    },
  };
}
