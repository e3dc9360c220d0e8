// Hand-built PDUs and a raw DICOM-TLS client for gateway tests that need bytes dcmtk
// would never send (malformed PDUs, bad AE titles, out-of-order fragments).
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { encodeCommandSet, type CommandSet } from '../../../src/gateway/dicom/commandSet.js';
import { DICOM_APPLICATION_CONTEXT, PDU, TS } from '../../../src/gateway/dicom/constants.js';
import { createPduReader, isPduError } from '../../../src/gateway/dicom/createPduReader.js';
import { decodePdu } from '../../../src/gateway/dicom/decodePdu.js';
import { encodePData, encodePdu } from '../../../src/gateway/dicom/encodePdu.js';
import type { AssociateRq, Pdu, PresentationContextRq } from '../../../src/gateway/dicom/pduTypes.js';

export const VERIFICATION = '1.2.840.10008.1.1';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

export function associateRq(o: { calling?: string; called?: string; contexts?: PresentationContextRq[]; maxLength?: number } = {}): AssociateRq {
  return {
    type: PDU.associateRq,
    protocolVersion: 1,
    calledAe: o.called ?? 'PACS_RAD',
    callingAe: o.calling ?? 'ALICE_WS',
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: o.contexts ?? [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [TS.implicitLittle] }],
    userInfo: { maxLength: o.maxLength ?? 16384, implementationClassUid: '1.2.3.4', implementationVersionName: 'TEST_1', roleSelections: [], extendedNegotiations: [], commonExtendedNegotiations: [], unknown: [] },
  };
}

export function commandPdu(contextId: number, c: CommandSet): Buffer {
  return encodePData([{ contextId, command: true, last: true, data: encodeCommandSet(c) }]);
}

/** Explicit or implicit VR LE identifier with QueryRetrieveLevel and StudyInstanceUID. */
export function identifier(level: string, studyUid: string, explicit = false): Buffer {
  const el = (g: number, e: number, vr: string, value: string, pad: string) => {
    let v = Buffer.from(value, 'latin1');
    if (v.length % 2) v = Buffer.concat([v, Buffer.from(pad, 'latin1')]);
    const h = Buffer.alloc(explicit ? 8 : 8);
    h.writeUInt16LE(g, 0);
    h.writeUInt16LE(e, 2);
    if (explicit) {
      h.write(vr, 4, 'latin1');
      h.writeUInt16LE(v.length, 6);
    } else h.writeUInt32LE(v.length, 4);
    return Buffer.concat([h, v]);
  };
  return Buffer.concat([el(0x0008, 0x0052, 'CS', level, ' '), el(0x0020, 0x000d, 'UI', studyUid, '\0')]);
}

/** A raw TLS connection speaking PDUs: what the gateway answered, and when it closed. */
export interface RawClient {
  socket: TLSSocket;
  send(b: Buffer | Pdu): void;
  /** Next PDU from the gateway (or 'closed'), within `ms`. */
  next(ms?: number): Promise<Pdu | 'closed' | 'timeout'>;
  closed: Promise<void>;
  close(): void;
}

export async function rawClient(port: number, tls: { keyFile: string; certFile: string; caFile: string }): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile), ca: readFileSync(tls.caFile) });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const reader = createPduReader({ maxPduLength: 1 << 24, maxAssociateLength: 1 << 20 });
  const queue: (Pdu | 'closed')[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (c: Buffer) => {
    reader.push(c);
    for (let p = reader.next(); p; p = reader.next()) {
      if (isPduError(p)) break;
      const d = decodePdu(p.raw);
      if (d.ok) queue.push(d.value);
    }
    wake?.();
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      queue.push('closed');
      wake?.();
      resolve();
    }),
  );
  return {
    socket,
    send: (b) => void socket.write(Buffer.isBuffer(b) ? b : encodePdu(b)),
    async next(ms = 5000) {
      const deadline = Date.now() + ms;
      while (queue.length === 0) {
        if (Date.now() > deadline) return 'timeout';
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return queue.shift()!;
    },
    closed,
    close: () => socket.destroy(),
  };
}
