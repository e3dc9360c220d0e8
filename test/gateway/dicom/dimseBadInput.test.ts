// Bad input at the DIMSE gateway, over real TLS with a radgate client certificate: each
// malformed or out-of-place PDU ends in A-ABORT (source 2, the right reason) or
// A-ASSOCIATE-RJ, is audited, and the gateway keeps serving the next caller.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomGatewayConfigSchema } from '../../../src/config/dicomGatewaySchema.js';
import { ABORT_REASON, ABORT_SOURCE, COMMAND, createDicomGateway, encodePData, encodePdu, ITEM, NO_DATASET, PDU, RJ_USER_REASON, TS, type DicomGateway } from '../../../src/gateway/dicom/index.js';
import { encodeCommandSet } from '../../../src/gateway/dicom/commandSet.js';
import { startBroker, type Broker } from '../../../src/server.js';
import { makeCaller, type ClientCert } from '../../helpers/dataplaneCaller.js';
import { freePort } from '../../helpers/ports.js';
import { testConfig, tmpHome } from '../../helpers/tmpHome.js';
import { associateRq, commandPdu, identifier, rawClient, STUDY_ROOT_FIND, STUDY_ROOT_GET, VERIFICATION, type RawClient } from './pduSamples.js';
import { startSlowPacs, type SlowPacs } from './slowPacs.js';

const STUDY = '1.2.826.0.1.3680043.10.1234.99.1';

describe('DIMSE gateway bad input (each answered with A-ABORT or RJ, audited, service goes on)', () => {
  let broker: Broker;
  let gw: DicomGateway;
  let pacs: SlowPacs;
  let alice: ClientCert;
  let caFile: string;
  const home = tmpHome('radgate-dimse-bad-');
  const tls = () => ({ keyFile: alice.keyFile, certFile: alice.certFile, caFile });
  const contexts = [
    { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [TS.implicitLittle] },
    { id: 3, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [TS.implicitLittle] },
    { id: 5, abstractSyntax: STUDY_ROOT_GET, transferSyntaxes: [TS.implicitLittle] },
  ];
  const rq = (o: Parameters<typeof associateRq>[0] = {}) => associateRq({ called: 'SLOW_PACS', contexts, ...o });

  beforeAll(async () => {
    pacs = await startSlowPacs();
    broker = await startBroker(testConfig(home, { 'listen.control.port': await freePort() }));
    gw = await createDicomGateway({
      broker,
      config: dicomGatewayConfigSchema.parse({
        enabled: true,
        listen: { host: '127.0.0.1', port: await freePort() },
        aeTitle: 'BROKER',
        userAeTitles: ['ALICE_WS'],
        maxPduLength: 16384,
        upstreams: { SLOW_PACS: { name: 'pacs-rad', host: '127.0.0.1', port: pacs.port, aeTitle: 'SLOW', department: 'radiology' } },
        limits: { artim: 1, idleTimeout: 2, maxIdentifierLength: 4096, maxDenials: 3 },
      }),
    });
    caFile = path.join(home, 'ca.pem');
    writeFileSync(caFile, broker.ca.rootPem());
    alice = await makeCaller(broker, { name: 'alice', department: 'radiology', dir: home });
  });

  afterAll(async () => {
    await gw?.close();
    await pacs?.close();
    await broker?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** An association that reaches "established" (the slow PACS accepts everything). */
  async function established(): Promise<RawClient> {
    const c = await rawClient(gw.port, tls());
    c.send(rq());
    expect(await c.next()).toMatchObject({ type: PDU.associateAc });
    return c;
  }

  async function expectAbort(c: RawClient, reason: number): Promise<void> {
    let p = await c.next();
    // Refusal responses may come first (repeated denials); the association must end in A-ABORT.
    while (p !== 'closed' && p !== 'timeout' && p.type === PDU.pData) p = await c.next();
    expect(p).toEqual({ type: PDU.abort, source: ABORT_SOURCE.serviceProvider, reason });
    expect(await c.next()).toBe('closed');
  }

  async function audited(reason: string | RegExp): Promise<Record<string, unknown>> {
    await broker.audit.flush();
    const rows = await broker.store.audit.query({ type: 'gateway.dicom.association', limit: 500 });
    const hit = rows.map((r): Record<string, unknown> => ({ outcome: r.outcome, ...(JSON.parse(r.detail) as Record<string, unknown>) })).find((d) => (typeof reason === 'string' ? d.reason === reason : reason.test(String(d.reason))));
    expect(hit, `an association audit with reason ${String(reason)}`).toBeDefined();
    return hit!;
  }

  /** The gateway still serves: a full association with C-ECHO and release. */
  async function stillServes(): Promise<void> {
    const c = await established();
    c.send(commandPdu(1, { commandField: COMMAND.cEchoRq, messageId: 1, affectedSopClass: VERIFICATION, dataSetType: NO_DATASET }));
    const rsp = await c.next();
    expect(rsp).toMatchObject({ type: PDU.pData });
    c.send({ type: PDU.releaseRq });
    expect(await c.next()).toEqual({ type: PDU.releaseRp });
    c.close();
  }

  it('answers an unknown PDU type with A-ABORT unrecognized-PDU', async () => {
    const c = await rawClient(gw.port, tls());
    c.send(Buffer.from([0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    await expectAbort(c, ABORT_REASON.unrecognizedPdu);
    await audited('pdu-type-unknown');
    await stillServes();
  });

  it('answers garbage after the TLS handshake with A-ABORT unrecognized-PDU', async () => {
    const c = await rawClient(gw.port, tls());
    c.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await expectAbort(c, ABORT_REASON.unrecognizedPdu);
    await stillServes();
  });

  it('answers P-DATA before the association with A-ABORT unexpected-PDU', async () => {
    const c = await rawClient(gw.port, tls());
    c.send(commandPdu(1, { commandField: COMMAND.cEchoRq, messageId: 1, dataSetType: NO_DATASET }));
    await expectAbort(c, ABORT_REASON.unexpectedPdu);
    await audited('unexpected-pdu-before-association');
    await stillServes();
  });

  it('aborts a truncated A-ASSOCIATE-RQ when ARTIM expires (the length promised more than was sent)', async () => {
    const c = await rawClient(gw.port, tls());
    const t = performance.now();
    c.send(encodePdu(rq()).subarray(0, 40));
    await expectAbort(c, ABORT_REASON.notSpecified);
    expect(performance.now() - t).toBeLessThan(3000);
    await audited('artim-expired');
    await stillServes();
  });

  it('aborts an A-ASSOCIATE-RQ whose length field is too short (items run past the PDU)', async () => {
    const b = encodePdu(rq());
    b.writeUInt32BE(b.readUInt32BE(2) - 20, 2);
    const c = await rawClient(gw.port, tls());
    c.send(b.subarray(0, b.length - 20));
    await expectAbort(c, ABORT_REASON.invalidPduParameterValue);
    await audited(/^(item-truncated|item-missing|field-invalid)$/);
    await stillServes();
  });

  it('aborts an A-ASSOCIATE-RQ larger than the association limit as soon as its header arrives', async () => {
    const c = await rawClient(gw.port, tls());
    c.send(Buffer.from([PDU.associateRq, 0, 0, 0x40, 0, 0]));
    await expectAbort(c, ABORT_REASON.invalidPduParameterValue);
    await audited('pdu-too-long');
    await stillServes();
  });

  it('aborts a P-DATA-TF longer than the negotiated maximum', async () => {
    const c = await established();
    c.send(Buffer.from([PDU.pData, 0, 0, 0, 0x40, 0x01])); // 16385 > 16384
    await expectAbort(c, ABORT_REASON.invalidPduParameterValue);
    await stillServes();
  });

  const rqItems = (...items: Buffer[]) => {
    const head = encodePdu(rq()).subarray(0, 74);
    const body = Buffer.concat([head, ...items]);
    body.writeUInt32BE(body.length - 6, 2);
    return body;
  };
  const item = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, 0, value.length >> 8, value.length & 0xff]), value]);
  const appCtx = item(ITEM.applicationContext, Buffer.from('1.2.840.10008.3.1.1.1'));
  const ui = item(ITEM.userInfo, item(ITEM.maxLength, Buffer.from([0, 0, 0x40, 0])));
  const pc = (id: number) => item(ITEM.presentationContextRq, Buffer.concat([Buffer.from([id, 0, 0, 0]), item(ITEM.abstractSyntax, Buffer.from(VERIFICATION)), item(ITEM.transferSyntax, Buffer.from(TS.implicitLittle))]));

  it.each([
    ['an unknown item type', rqItems(appCtx, pc(1), item(0x33, Buffer.alloc(4)), ui), ABORT_REASON.unrecognizedPduParameter, 'item-type-unknown'],
    ['an even presentation context id', rqItems(appCtx, pc(2), ui), ABORT_REASON.invalidPduParameterValue, 'pc-id-invalid'],
    ['a reused presentation context id', rqItems(appCtx, pc(1), pc(1), ui), ABORT_REASON.invalidPduParameterValue, 'pc-id-reused'],
    ['zero presentation contexts', rqItems(appCtx, ui), ABORT_REASON.invalidPduParameterValue, 'pc-none'],
  ])('aborts an A-ASSOCIATE-RQ with %s', async (_n, bytes, reason, code) => {
    const c = await rawClient(gw.port, tls());
    c.send(bytes);
    await expectAbort(c, reason);
    await audited(code);
    await stillServes();
  });

  it.each([
    ['calling', { calling: 'ALICE\x07WS' }, RJ_USER_REASON.callingAeNotRecognized, 'calling-ae-invalid'],
    ['called', { called: 'SLOW\nPACS' }, RJ_USER_REASON.calledAeNotRecognized, 'called-ae-invalid'],
  ])('rejects a %s AE title with control characters (A-ASSOCIATE-RJ)', async (_n, o, reason, code) => {
    const c = await rawClient(gw.port, tls());
    c.send(rq(o));
    expect(await c.next()).toEqual({ type: PDU.associateRj, result: 1, source: 1, reason });
    await audited(code);
    await stillServes();
  });

  it('aborts data fragments sent before their command (fragments out of order)', async () => {
    const c = await established();
    c.send(encodePData([{ contextId: 3, command: false, last: true, data: identifier('STUDY', STUDY) }]));
    await expectAbort(c, ABORT_REASON.unexpectedPduParameter);
    await audited('data-before-command');
    await stillServes();
  });

  it('aborts a command fragment after its data set started', async () => {
    const c = await established();
    const find = encodeCommandSet({ commandField: COMMAND.cFindRq, messageId: 1, affectedSopClass: STUDY_ROOT_FIND, dataSetType: 0 });
    c.send(encodePData([{ contextId: 3, command: true, last: true, data: find }, { contextId: 3, command: false, last: false, data: identifier('STUDY', STUDY).subarray(0, 8) }, { contextId: 3, command: true, last: true, data: find }]));
    await expectAbort(c, ABORT_REASON.unexpectedPduParameter);
    await audited('fragments-out-of-order');
    await stillServes();
  });

  it('aborts a command set without CommandField', async () => {
    const c = await established();
    const noField = encodeCommandSet({ commandField: 0x30, messageId: 1, dataSetType: NO_DATASET });
    // Drop (0000,0100): rebuild from the elements after the group length, without the CommandField.
    const els = noField.subarray(12);
    const kept: Buffer[] = [];
    for (let off = 0; off < els.length; ) {
      const len = els.readUInt32LE(off + 4);
      if (els.readUInt16LE(off + 2) !== 0x0100) kept.push(els.subarray(off, off + 8 + len));
      off += 8 + len;
    }
    c.send(encodePData([{ contextId: 1, command: true, last: true, data: Buffer.concat(kept) }]));
    await expectAbort(c, ABORT_REASON.invalidPduParameterValue);
    await audited('command-field-missing');
    await stillServes();
  });

  it('aborts an oversized C-FIND identifier', async () => {
    const c = await established();
    const find = encodeCommandSet({ commandField: COMMAND.cFindRq, messageId: 1, affectedSopClass: STUDY_ROOT_FIND, dataSetType: 0 });
    c.send(encodePData([{ contextId: 3, command: true, last: true, data: find }]));
    for (let i = 0; i < 3; i++) c.send(encodePData([{ contextId: 3, command: false, last: false, data: Buffer.alloc(2000) }]));
    await expectAbort(c, ABORT_REASON.invalidPduParameterValue);
    await audited('identifier-too-large');
    await stillServes();
  });

  it('answers an unreadable identifier with a failure status, not forwarded', async () => {
    const c = await established();
    const find = encodeCommandSet({ commandField: COMMAND.cFindRq, messageId: 9, affectedSopClass: STUDY_ROOT_FIND, dataSetType: 0 });
    c.send(encodePData([{ contextId: 3, command: true, last: true, data: find }, { contextId: 3, command: false, last: true, data: identifier('STUDY', '1.2.x') }]));
    const rsp = await c.next();
    expect(rsp).toMatchObject({ type: PDU.pData });
    const { decodeCommandSet } = await import('../../../src/gateway/dicom/commandSet.js');
    const cmd = decodeCommandSet((rsp as { pdvs: { data: Buffer }[] }).pdvs[0]!.data);
    expect(cmd).toMatchObject({ ok: true, value: { commandField: COMMAND.cFindRsp, messageIdBeingRespondedTo: 9, status: 0xa900 } });
    expect(pacs.commands).not.toContain(COMMAND.cFindRq);
    c.send({ type: PDU.releaseRq });
    expect(await c.next()).toEqual({ type: PDU.releaseRp });
    c.close();
  });

  it('refuses each denied command with status 0124H and aborts after repeated denials', async () => {
    const c = await established();
    const before = pacs.commands.length;
    const { decodeCommandSet } = await import('../../../src/gateway/dicom/commandSet.js');
    for (let i = 1; i <= 3; i++) {
      const get = encodeCommandSet({ commandField: COMMAND.cGetRq, messageId: i, affectedSopClass: STUDY_ROOT_GET, dataSetType: 0 });
      // PATIENT level without a study: policy dimse-retrieve-needs-study.
      c.send(encodePData([{ contextId: 5, command: true, last: true, data: get }, { contextId: 5, command: false, last: true, data: identifier('PATIENT', '') }]));
      const rsp = await c.next();
      expect(rsp).toMatchObject({ type: PDU.pData });
      expect(decodeCommandSet((rsp as { pdvs: { data: Buffer }[] }).pdvs[0]!.data)).toMatchObject({ ok: true, value: { commandField: COMMAND.cGetRsp, messageIdBeingRespondedTo: i, status: 0x0124 } });
    }
    await expectAbort(c, ABORT_REASON.notSpecified);
    const ev = await audited('too-many-denials');
    expect(ev).toMatchObject({ outcome: 'deny', denials: 3 });
    expect(pacs.commands.slice(before)).toEqual([]); // no refused C-GET reached the PACS
    await stillServes();
  });

  it('survives 300 connections sending mutated real dcmtk traffic: each is ended by the gateway, which keeps serving', async () => {
    const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
    // The caller's side of real exchanges, retargeted at this gateway's AE titles.
    const streams = ['echo', 'find', 'store', 'get'].map((n) => {
      const b = Buffer.from(readFileSync(path.join(fixtures, `${n}.scu.bin`)));
      b.write('SLOW_PACS       ', 10, 'latin1');
      b.write('ALICE_WS        ', 26, 'latin1');
      return b;
    });
    let seed = 1234567;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let batch = 0; batch < 15; batch++) {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const b = Buffer.from(streams[rnd(streams.length)]!);
            for (let k = 0, n = 1 + rnd(6); k < n; k++) {
              const at = rnd(b.length);
              b[at] = rnd(3) === 0 ? b[at]! ^ (1 << rnd(8)) : rnd(256);
            }
            const c = await rawClient(gw.port, tls());
            c.send(b.subarray(0, rnd(3) === 0 ? rnd(b.length) : b.length));
            // Whatever arrives, the gateway ends the connection: RJ or A-ABORT at once, ARTIM (1 s)
            // for a cut-off request, the idle timeout (2 s) for an association left hanging.
            const deadline = Date.now() + 6000;
            let p = await c.next(6000);
            while (p !== 'closed' && p !== 'timeout' && Date.now() < deadline) p = await c.next(Math.max(1, deadline - Date.now()));
            c.close();
            expect(p).toBe('closed');
          }),
        );
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    await stillServes();
  }, 180_000);

  it('is started by the broker when gateways.dicom.enabled, and closed with it', async () => {
    const home2 = tmpHome('radgate-dimse-broker-');
    const port = await freePort();
    const b = await startBroker(
      testConfig(home2, {
        'listen.control.port': await freePort(),
        'gateways.dicom.enabled': true,
        'gateways.dicom.listen.port': port,
        'gateways.dicom.userAeTitles': ['ALICE_WS'],
        'gateways.dicom.upstreams': { SLOW_PACS: { name: 'pacs-rad', host: '127.0.0.1', port: pacs.port, aeTitle: 'SLOW', department: 'radiology' } },
      }),
    );
    try {
      expect(b.dicomGateway?.port).toBe(port);
      expect([...b.dicomGateway!.calledAeTitles]).toEqual([['SLOW_PACS', 'pacs-rad']]);
      const bob = await makeCaller(b, { name: 'bob', department: 'radiology', dir: home2 });
      writeFileSync(path.join(home2, 'ca.pem'), b.ca.rootPem());
      const c = await rawClient(port, { keyFile: bob.keyFile, certFile: bob.certFile, caFile: path.join(home2, 'ca.pem') });
      c.send(rq());
      expect(await c.next()).toMatchObject({ type: PDU.associateAc });
      c.close();
    } finally {
      await b.close();
      rmSync(home2, { recursive: true, force: true });
    }
    await expect(rawClient(port, tls())).rejects.toThrow();
  });

  it('leaves no association or live session behind', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.associations).toBe(0);
    expect(broker.liveSessions.list().filter((s) => s.gateway === 'dicom')).toEqual([]);
  });
});
