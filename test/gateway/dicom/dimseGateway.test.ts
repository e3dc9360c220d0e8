// The DIMSE gateway end to end: real dcmtk clients with TLS client certificates from the
// broker's CA, through the gateway, to a real Orthanc that accepts only the gateway's AE.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dicomGatewayConfigSchema } from '../../../src/config/dicomGatewaySchema.js';
import { defaultFixturePath, makeSyntheticStudy, type SyntheticStudies } from '../../../src/gateway/demoPacs/index.js';
import { createDicomGateway, PC_RESULT, PDU, TS, type AssociateAc, type DicomGateway } from '../../../src/gateway/dicom/index.js';
import { startBroker, type Broker } from '../../../src/server.js';
import { issueCert, makeCaller, type ClientCert } from '../../helpers/dataplaneCaller.js';
import { describeWithOrthanc, IN_CI, withOrthanc, type TestOrthanc } from '../../helpers/orthanc.js';
import { freePort } from '../../helpers/ports.js';
import { testConfig, tmpHome } from '../../helpers/tmpHome.js';
import { DCMTK_INSTALLED, dcmtk, tlsArgs, type TlsFiles } from './dcmtk.js';
import { loopbackTlsWrap } from './loopbackTlsWrap.js';
import { startSlowPacs, type SlowPacs } from './slowPacs.js';
import { associateRq, rawClient, SECONDARY_CAPTURE, VERIFICATION } from './pduSamples.js';

/** SHA-256 of a Part 10 file's data set (after the preamble, DICM and the group 0002 meta header). */
function datasetSha256(file: Buffer): string {
  // PS3.10 7.1: (0002,0000) UL group length, explicit VR LE, right after 'DICM'.
  const groupLength = file.readUInt32LE(132 + 8);
  return createHash('sha256').update(file.subarray(132 + 12 + groupLength)).digest('hex');
}

if (IN_CI && !DCMTK_INSTALLED) throw new Error('dcmtk is required in CI (run deploy/setup.sh)');

describeWithOrthanc('DIMSE gateway (DICOM TLS) in front of a real Orthanc, with dcmtk', () => {
  let broker: Broker;
  let orthanc: TestOrthanc;
  let gw: DicomGateway;
  let data: SyntheticStudies;
  let alice: ClientCert;
  let tom: ClientCert;
  let caFile: string;
  let slow: SlowPacs;
  const home = tmpHome('radgate-dimse-');
  const dataDir = tmpHome('radgate-dimse-synth-');
  const files = (c: ClientCert): TlsFiles => ({ keyFile: c.keyFile, certFile: c.certFile, caFile });
  const peer = () => ['127.0.0.1', String(gw.port)];

  beforeAll(async () => {
    [broker, orthanc, data] = await Promise.all([
      freePort().then((port) => startBroker(testConfig(home, { 'listen.control.port': port }))),
      withOrthanc({ brokerAet: 'BROKER' }),
      makeSyntheticStudy({ dir: dataDir, studies: 1, seriesPerStudy: 2, instancesPerSeries: 3, seed: 88 }),
    ]);
    slow = await startSlowPacs();
    gw = await createDicomGateway({
      broker,
      config: dicomGatewayConfigSchema.parse({
        enabled: true,
        listen: { host: '127.0.0.1', port: await freePort() },
        aeTitle: 'BROKER',
        userAeTitles: ['ALICE_WS', 'TOM_WS'],
        upstreams: {
          PACS_RAD: { name: 'pacs-rad', host: '127.0.0.1', port: orthanc.dicomPort, aeTitle: orthanc.aet, department: 'radiology' },
          SLOW_PACS: { name: 'pacs-rad', host: '127.0.0.1', port: slow.port, aeTitle: 'SLOW', department: 'radiology' },
        },
        limits: { recheckInterval: 2 },
      }),
    });
    caFile = path.join(home, 'ca.pem');
    writeFileSync(caFile, broker.ca.rootPem());
    alice = await makeCaller(broker, { name: 'alice', department: 'radiology', dir: home });
    tom = await makeCaller(broker, { name: 'tom', department: 'radiology', roles: ['technologist'], dir: home });
  });

  afterAll(async () => {
    await gw?.close();
    await slow?.close();
    await orthanc?.stop();
    await broker?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const auditDetails = async (type: string) => {
    await broker.audit.flush();
    const rows = await broker.store.audit.query({ type, limit: 1000 });
    return rows.map((r): Record<string, unknown> => ({ outcome: r.outcome, ...(JSON.parse(r.detail) as Record<string, unknown>) }));
  };

  it('answers C-ECHO for a clinician through the gateway', async () => {
    const r = await dcmtk('echoscu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(alice)), ...peer()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('stores a synthetic study for a technologist (C-STORE), recording each SOP Instance UID and SHA-256', async () => {
    const r = await dcmtk('storescu', ['-aet', 'TOM_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(tom)), ...peer(), ...data.files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const stores = (await auditDetails('gateway.dicom.command')).filter((d) => d.service === 'store' && d.status === 0);
    for (const inst of data.instances) {
      const ev = stores.find((d) => d.sopInstance === inst.sopUid);
      expect(ev?.sha256).toBe(datasetSha256(readFileSync(inst.path)));
      expect(ev).toMatchObject({ outcome: 'success', eventId: '110104', studies: [inst.studyUid] });
    }
  });

  it('stores a 512 KB instance whose held first fragments are regrouped within the PACS maximum PDU length', async () => {
    const pixels = path.join(dataDir, 'big.raw');
    writeFileSync(pixels, Buffer.alloc(724 * 724, 0x5a));
    const fixture = path.join(dataDir, 'big.dump');
    writeFileSync(fixture, readFileSync(defaultFixturePath(), 'utf8').replace(/^\(0028,0010\) US 8$/m, '(0028,0010) US 724').replace(/^\(0028,0011\) US 8$/m, '(0028,0011) US 724').replace(/^\(7fe0,0010\) OB .*$/m, `(7fe0,0010) OB =${pixels}`));
    const big = await makeSyntheticStudy({ dir: path.join(dataDir, 'big'), studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, seed: 89, fixture });
    const r = await dcmtk('storescu', ['-aet', 'TOM_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(tom)), ...peer(), big.files[0]!]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = (await auditDetails('gateway.dicom.command')).find((d) => d.sopInstance === big.instances[0]!.sopUid);
    expect(ev).toMatchObject({ outcome: 'success', status: 0, sha256: datasetSha256(readFileSync(big.files[0]!)) });
  });

  it('answers C-FIND for the stored study', async () => {
    const out = path.join(home, 'find');
    mkdirSync(out, { recursive: true });
    const r = await dcmtk('findscu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(alice)), '-S', '-X', '-od', out, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${data.studies[0]!.studyUid}`, '-k', 'PatientID', ...peer()]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).length).toBe(1);
    const ev = (await auditDetails('gateway.dicom.command')).find((d) => d.service === 'find' && d.outcome === 'success');
    expect(ev).toMatchObject({ eventId: '110112', matches: 1, studies: [data.studies[0]!.studyUid], level: 'STUDY' });
  });

  it('retrieves the study with C-GET; every instance has the same SHA-256 on the way in and out', async () => {
    const out = path.join(home, 'get');
    mkdirSync(out, { recursive: true });
    // dcmtk 3.6.7 getscu has no TLS: the agent-side loopback wrap carries it (as for legacy modalities).
    const wrap = await loopbackTlsWrap(gw.port, files(alice));
    const r = await dcmtk('getscu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', '-S', '-od', out, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${data.studies[0]!.studyUid}`, '127.0.0.1', String(wrap.port)]).finally(() => wrap.close());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).length).toBe(data.instances.length);
    const stored = (await auditDetails('gateway.dicom.command')).filter((d) => d.service === 'store' && d.status === 0);
    const batches = (await auditDetails('gateway.dicom.instances')).filter((d) => d.outcome === 'success');
    expect(batches[0]).toMatchObject({ eventId: '110104', direction: 'to-caller', studies: [data.studies[0]!.studyUid] });
    const retrieved = batches.flatMap((d) => d.instances as Array<Record<string, unknown>>).filter((i) => i.status === 0);
    expect(retrieved).toHaveLength(data.instances.length);
    for (const inst of data.instances) {
      const inHash = stored.find((d) => d.sopInstance === inst.sopUid)?.sha256;
      const outHash = retrieved.find((d) => d.sopInstance === inst.sopUid)?.sha256;
      expect(inHash).toMatch(/^[0-9a-f]{64}$/);
      expect(outHash).toBe(inHash);
      expect(datasetSha256(readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith(inst.sopUid))!)))).toBe(inHash);
    }
    const get = (await auditDetails('gateway.dicom.command')).find((d) => d.service === 'get' && d.outcome === 'success');
    expect(get).toMatchObject({ eventId: '110102', instances: data.instances.length, studies: [data.studies[0]!.studyUid] });
  });

  it('refuses a calling AE the user may not use with A-ASSOCIATE-RJ, as dcmtk reports it', async () => {
    const r = await dcmtk('echoscu', ['-aet', 'EVIL_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(alice)), ...peer()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Association Rejected/);
    expect(r.stderr).toMatch(/Calling AE Title Not Recognized/i);
    const ev = (await auditDetails('gateway.dicom.association')).find((d) => d.reason === 'calling-ae-not-allowed');
    expect(ev).toMatchObject({ outcome: 'deny', callingAe: 'EVIL_WS', calledAe: 'PACS_RAD', eventId: '110108' });
  });

  it('refuses a revoked certificate with A-ASSOCIATE-RJ and audits whose it was', async () => {
    const revoked = await issueCert(broker, { userId: alice.userId, deviceId: alice.deviceId, sessionId: alice.sessionId, dir: home });
    await broker.ca.revoke(revoked.serial);
    const r = await dcmtk('echoscu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(revoked)), ...peer()]);
    expect(r.stderr).toMatch(/Association Rejected/);
    const ev = (await auditDetails('gateway.dicom.association')).find((d) => d.serial === revoked.serial);
    expect(ev).toMatchObject({ outcome: 'deny', reason: 'certificate-revoked' });
  });

  it('refuses an unknown called AE with A-ASSOCIATE-RJ called-AE-not-recognized', async () => {
    const r = await dcmtk('echoscu', ['-aet', 'ALICE_WS', '-aec', 'NOPE', ...tlsArgs(files(alice)), ...peer()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Called AE Title Not Recognized/i);
  });

  it('refuses a clinician of another department with A-ASSOCIATE-RJ and audits the policy reasons', async () => {
    const carol = await makeCaller(broker, { name: 'carol', department: 'cardiology', dir: home });
    const r = await dcmtk('echoscu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(carol)), ...peer()]);
    expect(r.stderr).toMatch(/Association Rejected/);
    const ev = (await auditDetails('gateway.dicom.association')).find((d) => d.serial === carol.serial);
    expect(ev).toMatchObject({ outcome: 'deny', reason: 'policy-denied:no-permit' });
  });

  it('answers storage contexts a clinician may not use with "abstract syntax not supported" (storescu cannot send)', async () => {
    const r = await dcmtk('storescu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(alice)), ...peer(), data.files[0]!]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No (acceptable )?presentation context/i);
  });

  it('accepts the allowed context and refuses the forbidden one in the same association', async () => {
    const c = await rawClient(gw.port, files(alice));
    c.send(associateRq({ contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [TS.implicitLittle] }, { id: 3, abstractSyntax: SECONDARY_CAPTURE, transferSyntaxes: [TS.explicitLittle] }, { id: 5, abstractSyntax: '1.2.840.10008.1.20.1', transferSyntaxes: [TS.implicitLittle] }] }));
    const ac = await c.next();
    expect(ac).toMatchObject({ type: PDU.associateAc });
    const results = (ac as AssociateAc).presentationContexts.map((p) => [p.id, p.result]);
    expect(results).toEqual([[1, PC_RESULT.acceptance], [3, PC_RESULT.abstractSyntaxNotSupported], [5, PC_RESULT.abstractSyntaxNotSupported]]);
    c.send({ type: PDU.releaseRq });
    expect(await c.next()).toEqual({ type: PDU.releaseRp });
    c.close();
  });

  it('refuses a C-MOVE to a destination that is not the caller\'s own AE with a refused status, not forwarded', async () => {
    const wrap = await loopbackTlsWrap(gw.port, files(alice));
    const r = await dcmtk('movescu', ['-v', '-aet', 'ALICE_WS', '-aec', 'PACS_RAD', '-aem', 'EVIL_SCP', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${data.studies[0]!.studyUid}`, '127.0.0.1', String(wrap.port)]).finally(() => wrap.close());
    // dcmtk 3.6.7 does not name PS3.7 C.5 "Refused: Not Authorized" (0124H) but shows it as the final status.
    expect(r.stdout + r.stderr).toMatch(/Final Move Response \(.*0x124\)/);
    const ev = (await auditDetails('gateway.dicom.command')).find((d) => d.service === 'move');
    expect(ev).toMatchObject({ outcome: 'deny', status: 0x0124, moveDestination: 'EVIL_SCP', reason: 'policy-denied:move-destination-forbidden' });
  });

  it('aborts a long C-GET within 1 s of its certificate being revoked (A-ABORT seen by getscu)', async () => {
    const second = await issueCert(broker, { userId: alice.userId, deviceId: alice.deviceId, sessionId: alice.sessionId, dir: home });
    const wrap = await loopbackTlsWrap(gw.port, files(second));
    const run = dcmtk('getscu', ['-aet', 'ALICE_WS', '-aec', 'SLOW_PACS', '-S', '-od', home, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${data.studies[0]!.studyUid}`, '127.0.0.1', String(wrap.port)]);
    let revokedAt = 0;
    const ended = run.then((r) => ({ ...r, afterMs: performance.now() - revokedAt }));
    await slow.getStarted;
    await new Promise((r) => setTimeout(r, 300)); // the retrieval is under way
    expect(broker.liveSessions.list().some((s) => s.gateway === 'dicom' && s.serial === second.serial)).toBe(true);
    revokedAt = performance.now();
    await broker.ca.revoke(second.serial);
    const r = await ended;
    await wrap.close();
    expect(r.afterMs).toBeLessThan(1000);
    expect(r.stderr).toMatch(/Abort/i);
    expect(slow.received.at(-1)).toBe(PDU.abort);
    const cut = (await auditDetails('gateway.session.cut')).find((d) => d.serial === second.serial);
    expect(cut).toMatchObject({ gateway: 'dicom', cause: expect.stringMatching(/^certificate-revoked/) });
  });

  /** A C-GET to the never-ending PACS through the agent-side wrap; resolves with getscu's result and when it ended. */
  async function longGet(cert: ClientCert) {
    const wrap = await loopbackTlsWrap(gw.port, files(cert));
    const before = slow.commands.length;
    const run = dcmtk('getscu', ['-aet', 'ALICE_WS', '-aec', 'SLOW_PACS', '-S', '-od', home, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${data.studies[0]!.studyUid}`, '127.0.0.1', String(wrap.port)]);
    const ended = run.then((r) => ({ ...r, at: performance.now() })).finally(() => wrap.close());
    while (slow.commands.length === before) await new Promise((r) => setTimeout(r, 20));
    return ended;
  }

  it('re-checks a long association periodically and aborts it when its device was revoked without an event', async () => {
    const bob = await makeCaller(broker, { name: 'bob', department: 'radiology', dir: home });
    const ended = longGet(bob);
    await new Promise((r) => setTimeout(r, 200));
    // Straight in the store: no bus event, so only the periodic re-check (every 2 s here) can notice.
    await broker.store.devices.setState(bob.deviceId, ['active'], 'revoked', Date.now());
    const t = performance.now();
    const r = await ended;
    expect(r.at - t).toBeLessThan(2000 + 1000);
    expect(r.stderr).toMatch(/Abort/i);
    const cut = (await auditDetails('gateway.session.cut')).find((d) => d.serial === bob.serial);
    expect(cut).toMatchObject({ gateway: 'dicom', cause: 'recheck-denied' });
  });

  it('aborts a long association when its certificate expires', async () => {
    const carl = await makeCaller(broker, { name: 'carl', department: 'radiology', dir: home, ttlSeconds: 3 });
    const notAfter = Date.parse(new (await import('node:crypto')).X509Certificate(readFileSync(carl.certFile)).validTo);
    const r = await longGet(carl);
    expect(Math.abs(Date.now() - notAfter)).toBeLessThan(1500);
    expect(r.stderr).toMatch(/Abort/i);
    const cut = (await auditDetails('gateway.session.cut')).find((d) => d.serial === carl.serial);
    expect(cut).toMatchObject({ gateway: 'dicom', cause: 'certificate-expired' });
  });

  it('lets a registered modality (service principal) store under its own AE title, and only that one', async () => {
    const now = Date.now();
    const id = 'svc_ct_scanner_1';
    await broker.store.devices.insertServicePrincipal({ id, name: 'CT 1', ownerUserId: tom.userId, aeTitles: JSON.stringify(['CT1']), host: '127.0.0.1', state: 'active', createdAt: now, updatedAt: now });
    const ct = await issueCert(broker, { userId: id, deviceId: id, sessionId: id, dir: home });
    const wrongAe = await dcmtk('echoscu', ['-aet', 'ALICE_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(ct)), ...peer()]);
    expect(wrongAe.stderr).toMatch(/Calling AE Title Not Recognized/i);
    const r = await dcmtk('storescu', ['-aet', 'CT1', '-aec', 'PACS_RAD', ...tlsArgs(files(ct)), ...peer(), data.files[0]!]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = (await auditDetails('gateway.dicom.association')).find((d) => d.serial === ct.serial && d.reason === 'released');
    expect(ev).toMatchObject({ outcome: 'success', principalKind: 'service', callingAe: 'CT1' });
  });

  it('lets a vendor associate only inside an active grant for the target (context.grant from the access module)', async () => {
    const vgw = await createDicomGateway({
      broker: { ...broker, grants: broker.access },
      config: dicomGatewayConfigSchema.parse({
        enabled: true,
        listen: { host: '127.0.0.1', port: await freePort() },
        aeTitle: 'BROKER',
        userAeTitles: ['VIC_WS'],
        upstreams: { PACS_RAD: { name: 'pacs-rad', host: '127.0.0.1', port: orthanc.dicomPort, aeTitle: orthanc.aet, department: 'radiology' } },
      }),
    });
    try {
      const vic = await makeCaller(broker, { name: 'vic', kind: 'vendor', organization: 'acme-imaging', department: 'service', roles: ['vendor'], dir: home });
      const echo = () => dcmtk('echoscu', ['-aet', 'VIC_WS', '-aec', 'PACS_RAD', ...tlsArgs(files(vic)), '127.0.0.1', String(vgw.port)]);
      const without = await echo();
      expect(without.code).not.toBe(0);
      expect(without.stderr).toMatch(/Association Rejected/i);
      const t = Date.now();
      await broker.store.access.insertGrant({ id: `grt_dimse_${t}`, requestId: null, userId: vic.userId, target: 'pacs-rad', startAt: t - 1000, endAt: t + 600_000, state: 'active', breakGlass: false, reason: 'CT service', createdAt: t });
      const within = await echo();
      expect(within.stderr).toBe('');
      expect(within.code).toBe(0);
    } finally {
      await vgw.close();
    }
  });

  it('leaves no live session behind once associations end', async () => {
    await new Promise((r) => setTimeout(r, 100));
    expect(broker.liveSessions.list().filter((s) => s.gateway === 'dicom')).toEqual([]);
    expect(gw.associations).toBe(0);
  });
});
