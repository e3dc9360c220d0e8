// Regenerates the real-traffic fixtures of the PDU fuzz and codec tests: dcmtk (echoscu,
// findscu, storescu, getscu) talks plain DICOM to a real Orthanc through a recording
// proxy, and each direction's bytes are saved under fixtures/. Synthetic data only.
// Run: node --import tsx test/gateway/dicom/captureFixtures.ts
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSyntheticStudy } from '../../../src/gateway/demoPacs/index.js';
import { withOrthanc } from '../../helpers/orthanc.js';
import { tmpHome } from '../../helpers/tmpHome.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'fixtures');
mkdirSync(out, { recursive: true });

const orthanc = await withOrthanc({ brokerAet: 'BROKER' });
const dir = tmpHome('radgate-capture-');
try {
  const data = await makeSyntheticStudy({ dir, studies: 1, seriesPerStudy: 1, instancesPerSeries: 2, seed: 4242 });
  const study = data.studies[0]!.studyUid;
  const capture = async (name: string, tool: string, args: string[]) => {
    const up: Buffer[] = [];
    const down: Buffer[] = [];
    const proxy = createServer((c) => {
      const s = connect({ host: '127.0.0.1', port: orthanc.dicomPort });
      c.on('data', (b: Buffer) => up.push(Buffer.from(b)));
      s.on('data', (b: Buffer) => down.push(Buffer.from(b)));
      c.pipe(s);
      s.pipe(c);
      c.on('error', () => s.destroy());
      s.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = String((proxy.address() as AddressInfo).port);
    await promisify(execFile)(`/usr/bin/${tool}`, [...args.map((a) => (a === 'PORT' ? port : a))], { cwd: dir });
    await new Promise((r) => setTimeout(r, 200));
    proxy.close();
    writeFileSync(path.join(out, `${name}.scu.bin`), Buffer.concat(up));
    writeFileSync(path.join(out, `${name}.scp.bin`), Buffer.concat(down));
    process.stdout.write(`${name}: ${Buffer.concat(up).length} bytes from ${tool}, ${Buffer.concat(down).length} from Orthanc\n`);
  };
  const base = ['-aet', 'BROKER', '-aec', orthanc.aet, '127.0.0.1', 'PORT'];
  await capture('echo', 'echoscu', base);
  await capture('store', 'storescu', [...base, ...data.files]);
  await capture('find', 'findscu', ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '-k', 'PatientID', ...base]);
  await capture('get', 'getscu', ['-S', '-od', dir, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, ...base]);
} finally {
  await orthanc.stop();
  rmSync(dir, { recursive: true, force: true });
}
