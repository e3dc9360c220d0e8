// `npm run bench -- dimse [--rounds N] [--instances M] [--echoes K]`: the DIMSE gateway
// against a real Orthanc, side by side in one run:
//   cget_throughput: dcmtk getscu (--ignore) of a generated study (200 × ~512 KB ≈ 105 MB)
//     via the gateway (DICOM TLS, mTLS, per-command policy, SHA-256 of every instance),
//     vs HAProxy `mode tcp` with TLS (client certificates verified) in front of Orthanc,
//     vs plain DICOM straight to Orthanc. getscu 3.6.7 has no TLS, so for both TLS paths a
//     native HAProxy client-side wrap (plain loopback → mTLS, as the agent would) carries it.
//   (TCP_NODELAY=1 for the dcmtk peers, see main.)
//   echo_association: one association per C-ECHO (TLS handshake, A-ASSOCIATE, C-ECHO,
//     release) from an in-process client: p50 ms and associations/s, gateway vs HAProxy.
// Medians over interleaved rounds; the machine is shared, so figures are indicative.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { dicomGatewayConfigSchema } from '../../src/config/dicomGatewaySchema.js';
import { defaultFixturePath, loadStudies, makeSyntheticStudy } from '../../src/gateway/demoPacs/index.js';
import { COMMAND, createDicomGateway, createPduReader, decodePdu, encodeCommandSet, encodePData, encodePdu, isPduError, NO_DATASET, PDU, TS, type Pdu } from '../../src/gateway/dicom/index.js';
import { startBroker } from '../../src/server.js';
import { makeCaller } from '../helpers/dataplaneCaller.js';
import { withOrthanc } from '../helpers/orthanc.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';
import { flushJson, line, percentile, record, round } from './report.js';

const VERIFICATION = '1.2.840.10008.1.1';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects a positive integer`);
  return v;
}

function run(cmd: string, args: string[]): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 300_000, maxBuffer: 1 << 24 }, (err, _out, stderr) => (err ? reject(new Error(`${path.basename(cmd)} failed: ${String(stderr).slice(-400)}`)) : resolve(performance.now() - t))),
  );
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

/** One association with one C-ECHO, over `connect()`; resolves when released. */
function echoAssociation(open: () => Socket, calling: string, called: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = open();
    const reader = createPduReader({ maxPduLength: 1 << 20, maxAssociateLength: 1 << 20 });
    let released = false;
    s.setNoDelay(true);
    const send = (p: Pdu | Buffer) => s.write(Buffer.isBuffer(p) ? p : encodePdu(p));
    const start = () =>
      send({
        type: PDU.associateRq,
        protocolVersion: 1,
        calledAe: called,
        callingAe: calling,
        applicationContext: '1.2.840.10008.3.1.1.1',
        presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [TS.implicitLittle] }],
        userInfo: { maxLength: 16384, implementationClassUid: '1.2.3.4', roleSelections: [], extendedNegotiations: [], commonExtendedNegotiations: [], unknown: [] },
      });
    s.once((s as { encrypted?: boolean }).encrypted ? 'secureConnect' : 'connect', start);
    s.on('data', (c: Buffer) => {
      reader.push(c);
      for (let p = reader.next(); p; p = reader.next()) {
        if (isPduError(p)) return reject(new Error(p.code));
        const d = decodePdu(p.raw);
        if (!d.ok) return reject(new Error(d.error.code));
        const pdu = d.value;
        if (pdu.type === PDU.associateAc) {
          if (pdu.presentationContexts[0]?.result !== 0) return reject(new Error('verification refused'));
          send(encodePData([{ contextId: 1, command: true, last: true, data: encodeCommandSet({ commandField: COMMAND.cEchoRq, messageId: 1, affectedSopClass: VERIFICATION, dataSetType: NO_DATASET }) }]));
        } else if (pdu.type === PDU.pData) send({ type: PDU.releaseRq });
        else if (pdu.type === PDU.releaseRp) {
          released = true;
          s.end();
        } else return reject(new Error(`unexpected PDU ${pdu.type}`));
      }
    });
    s.once('error', reject);
    s.once('close', () => (released ? resolve() : reject(new Error('closed before release'))));
  });
}

async function timeEchoes(n: number, open: () => Socket, calling: string, called: string): Promise<{ p50: number; perSecond: number }> {
  for (let i = 0; i < 5; i++) await echoAssociation(open, calling, called);
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await echoAssociation(open, calling, called);
    times.push(performance.now() - t);
  }
  const total = performance.now() - t0;
  return { p50: round(median(times), 2), perSecond: round((n * 1000) / total, 1) };
}

export async function main(args: string[]): Promise<void> {
  const rounds = arg(args, 'rounds', 3);
  const instances = arg(args, 'instances', 200);
  const echoes = arg(args, 'echoes', 200);
  // Debian's dcmtk 3.6.7 (in Orthanc and the dcmtk tools) leaves Nagle's algorithm on unless
  // TCP_NODELAY=1: every PDU exchange then waits ~40 ms for a delayed ACK and all paths
  // measure that wait instead of the data path. Orthanc and getscu inherit this.
  process.env.TCP_NODELAY = '1';
  const home = tmpHome('radgate-bench-dimse-');
  const dataDir = path.join(home, 'study');
  let haproxy: ChildProcess | undefined;
  const [broker, orthanc] = await Promise.all([freePort().then((port) => startBroker(testConfig(home, { 'listen.control.port': port }))), withOrthanc({ brokerAet: 'BROKER' })]);
  try {
    // ~512 KB of pixel data per instance: the shared fixture with a 724×724 8-bit image.
    const pixels = path.join(home, 'pixels.raw');
    writeFileSync(pixels, Buffer.from(Array.from({ length: 724 * 724 }, (_, i) => (i * 2654435761) >>> 24)));
    const fixture = path.join(home, 'big.dump');
    writeFileSync(
      fixture,
      readFileSync(defaultFixturePath(), 'utf8')
        .replace(/^\(0028,0010\) US 8$/m, '(0028,0010) US 724')
        .replace(/^\(0028,0011\) US 8$/m, '(0028,0011) US 724')
        .replace(/^\(7fe0,0010\) OB .*$/m, `(7fe0,0010) OB =${pixels}`),
    );
    const series = Math.max(1, Math.ceil(instances / 100));
    const data = await makeSyntheticStudy({ dir: dataDir, studies: 1, seriesPerStudy: series, instancesPerSeries: Math.ceil(instances / series), seed: 9001, fixture });
    const bytes = data.files.reduce((n, f) => n + statSync(f).size, 0);
    await loadStudies(orthanc, data.files);
    const study = data.studies[0]!.studyUid;
    line(`dimse: ${data.files.length} instances, ${(bytes / 1e6).toFixed(1)} MB; Orthanc DICOM port ${orthanc.dicomPort}; node ${process.version}`);

    const gw = await createDicomGateway({
      broker,
      config: dicomGatewayConfigSchema.parse({
        enabled: true,
        listen: { host: '127.0.0.1', port: await freePort() },
        aeTitle: 'BROKER',
        userAeTitles: ['ALICE_WS'],
        upstreams: { PACS_RAD: { name: 'pacs-rad', host: '127.0.0.1', port: orthanc.dicomPort, aeTitle: orthanc.aet, department: 'radiology' } },
      }),
    });
    const alice = await makeCaller(broker, { name: 'alice', department: 'radiology', dir: home });

    // HAProxy: a TLS front for Orthanc (client certificates from the same CA), plus native
    // client-side wraps (plain loopback → mTLS) for getscu, towards the front and the gateway.
    const creds = await broker.ca.serverCredentials();
    const files = {
      server: path.join(home, 'hp-server.pem'),
      client: path.join(home, 'hp-client.pem'),
      clientCa: path.join(home, 'hp-client-ca.pem'),
      root: path.join(home, 'hp-root.pem'),
      cfg: path.join(home, 'haproxy.cfg'),
    };
    writeFileSync(files.server, creds.cert + creds.key, { mode: 0o600 });
    writeFileSync(files.client, alice.cert + alice.key, { mode: 0o600 });
    writeFileSync(files.clientCa, broker.ca.trustPem());
    writeFileSync(files.root, broker.ca.rootPem());
    const [front, wrapFront, wrapGw] = [await freePort(), await freePort(), await freePort()];
    const ciphers = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384';
    writeFileSync(
      files.cfg,
      [
        'global',
        '  maxconn 512',
        `  ssl-default-bind-ciphers ${ciphers}`,
        '  ssl-default-bind-options ssl-min-ver TLSv1.2',
        'defaults',
        '  mode tcp',
        '  timeout connect 5s',
        '  timeout client 120s',
        '  timeout server 120s',
        'listen tls_front',
        `  bind 127.0.0.1:${front} ssl crt ${files.server} ca-file ${files.clientCa} verify required`,
        `  server orthanc 127.0.0.1:${orthanc.dicomPort}`,
        'listen wrap_front',
        `  bind 127.0.0.1:${wrapFront}`,
        `  server front 127.0.0.1:${front} ssl crt ${files.client} ca-file ${files.root} verify required`,
        'listen wrap_gateway',
        `  bind 127.0.0.1:${wrapGw}`,
        `  server gateway 127.0.0.1:${gw.port} ssl crt ${files.client} ca-file ${files.root} verify required`,
        '',
      ].join('\n'),
    );
    haproxy = spawn('/usr/sbin/haproxy', ['-db', '-f', files.cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise((r) => setTimeout(r, 500));
    if (haproxy.exitCode !== null) throw new Error('haproxy did not start');

    const getscu = (port: number, calling: string, called: string) =>
      run('/usr/bin/getscu', ['--ignore', '-aet', calling, '-aec', called, '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(port)]);
    const paths = {
      direct: () => getscu(orthanc.dicomPort, 'BROKER', orthanc.aet),
      haproxy: () => getscu(wrapFront, 'BROKER', orthanc.aet),
      gateway: () => getscu(wrapGw, 'ALICE_WS', 'PACS_RAD'),
    };
    for (const f of Object.values(paths)) await f(); // warm-up (page cache, TLS session set-up)
    const times: Record<keyof typeof paths, number[]> = { direct: [], haproxy: [], gateway: [] };
    for (let r = 0; r < rounds; r++) {
      for (const k of Object.keys(paths) as (keyof typeof paths)[]) times[k].push(await paths[k]());
    }
    const mbps = (k: keyof typeof paths) => round(bytes / 1e6 / (median(times[k]) / 1000), 1);
    const [direct, viaHaproxy, viaGateway] = [mbps('direct'), mbps('haproxy'), mbps('gateway')];
    record({ bench: 'dimse', metric: 'cget_throughput_vs_haproxy', unit: 'MB/s', value: viaGateway, baseline: 'HAProxy mode tcp + TLS (mTLS) in front of Orthanc', baseline_value: viaHaproxy, instances: data.files.length, mb: round(bytes / 1e6, 1), rounds });
    record({ bench: 'dimse', metric: 'cget_throughput_vs_direct', unit: 'MB/s', value: viaGateway, baseline: 'plain DICOM straight to Orthanc', baseline_value: direct, instances: data.files.length, mb: round(bytes / 1e6, 1), rounds });

    const tlsTo = (port: number) => () => tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', key: alice.key, cert: alice.cert, ca: broker.ca.rootPem(), minVersion: 'TLSv1.2' });
    const g = await timeEchoes(echoes, tlsTo(gw.port), 'ALICE_WS', 'PACS_RAD');
    const h = await timeEchoes(echoes, tlsTo(front), 'BROKER', orthanc.aet);
    const d = await timeEchoes(echoes, () => netConnect({ host: '127.0.0.1', port: orthanc.dicomPort }), 'BROKER', orthanc.aet);
    record({ bench: 'dimse', metric: 'echo_association_p50', unit: 'ms', value: g.p50, baseline: 'HAProxy mode tcp + TLS, same client', baseline_value: h.p50, count: echoes, direct_p50: d.p50 });
    record({ bench: 'dimse', metric: 'echo_associations_per_s', unit: 'assoc/s', value: g.perSecond, baseline: 'HAProxy mode tcp + TLS, same client', baseline_value: h.perSecond, count: echoes, direct_per_s: d.perSecond });
    await gw.close();
    flushJson();
  } finally {
    haproxy?.kill('SIGTERM');
    await orthanc.stop();
    await broker.close();
    rmSync(home, { recursive: true, force: true });
  }
}
