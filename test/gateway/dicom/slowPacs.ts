// A PACS that never finishes a C-GET: it accepts any association, answers C-ECHO and
// C-FIND (no matches) at once, and a C-GET-RQ with a pending C-GET-RSP every 100 ms until
// the association ends. For "cut a long retrieval" and bad-input tests, where a real
// Orthanc would finish too quickly or is not needed.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encodeCommandSet, responseFor } from '../../../src/gateway/dicom/commandSet.js';
import { COMMAND, PC_RESULT, PDU } from '../../../src/gateway/dicom/constants.js';
import { createPduReader, isPduError } from '../../../src/gateway/dicom/createPduReader.js';
import { decodeCommandSet } from '../../../src/gateway/dicom/commandSet.js';
import { decodePdu } from '../../../src/gateway/dicom/decodePdu.js';
import { encodePData, encodePdu } from '../../../src/gateway/dicom/encodePdu.js';
import type { AssociateRq } from '../../../src/gateway/dicom/pduTypes.js';

export interface SlowPacs {
  port: number;
  /** Resolves when a C-GET-RQ arrived. */
  getStarted: Promise<void>;
  /** PDU types received, in order (A-ABORT is 7). */
  received: number[];
  /** CommandField of every command set received. */
  commands: number[];
  close(): Promise<void>;
}

export async function startSlowPacs(): Promise<SlowPacs> {
  const received: number[] = [];
  const commands: number[] = [];
  const sockets = new Set<Socket>();
  let started!: () => void;
  const getStarted = new Promise<void>((r) => (started = r));
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    const reader = createPduReader({ maxPduLength: 1 << 20, maxAssociateLength: 1 << 20 });
    let timer: NodeJS.Timeout | undefined;
    s.on('close', () => {
      clearInterval(timer);
      sockets.delete(s);
    });
    s.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let p = reader.next(); p; p = reader.next()) {
        if (isPduError(p)) return s.destroy();
        received.push(p.type);
        const d = decodePdu(p.raw);
        if (!d.ok) return s.destroy();
        const pdu = d.value;
        if (pdu.type === PDU.associateRq) {
          const rq = pdu as AssociateRq;
          s.write(
            encodePdu({
              type: PDU.associateAc,
              protocolVersion: 1,
              calledAe: rq.calledAe,
              callingAe: rq.callingAe,
              applicationContext: rq.applicationContext,
              presentationContexts: rq.presentationContexts.map((pc) => ({ id: pc.id, result: PC_RESULT.acceptance, transferSyntax: pc.transferSyntaxes[0]! })),
              userInfo: { maxLength: 16384, implementationClassUid: '1.2.3.4.5', roleSelections: rq.userInfo.roleSelections, extendedNegotiations: [], commonExtendedNegotiations: [], unknown: [] },
            }),
          );
        } else if (pdu.type === PDU.pData) {
          const cmd = pdu.pdvs.find((v) => v.command && v.last);
          const c = cmd && decodeCommandSet(cmd.data);
          if (c && c.ok) commands.push(c.value.commandField);
          if (cmd && c?.ok && (c.value.commandField === COMMAND.cEchoRq || c.value.commandField === COMMAND.cFindRq)) {
            s.write(encodePData([{ contextId: cmd.contextId, command: true, last: true, data: encodeCommandSet(responseFor(c.value, 0)) }]));
          }
          if (cmd && c?.ok && c.value.commandField === COMMAND.cGetRq) {
            started();
            const rsp = encodePData([{ contextId: cmd.contextId, command: true, last: true, data: encodeCommandSet(responseFor(c.value, 0xff00, { remaining: 1000, completed: 0, failed: 0, warning: 0 })) }]);
            timer = setInterval(() => s.write(rsp), 100);
          }
        } else if (pdu.type === PDU.releaseRq) {
          s.end(encodePdu({ type: PDU.releaseRp }));
        } else if (pdu.type === PDU.abort) {
          s.destroy();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    getStarted,
    received,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
