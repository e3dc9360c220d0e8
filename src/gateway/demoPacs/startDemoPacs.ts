// The demo PACS of `radgate demo`: a real Orthanc on fresh loopback ports under the data
// directory, loaded with synthetic studies of four departments (never patient data), and
// the DICOMweb target the broker's gateway puts in front of it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Logger } from '../../log/index.js';
import { loadStudies } from './loadStudies.js';
import { makeSyntheticStudy, type SyntheticStudies } from './makeSyntheticStudy.js';
import { startOrthanc, type OrthancHandle } from './startOrthanc.js';

export interface DemoPacs {
  orthanc: OrthancHandle;
  studies: SyntheticStudies;
  /** The DICOMweb target for the gateway (name `demo-pacs`, root `/dicom-web`). */
  target: { name: string; upstream: string; root: string; upstreamRoot: string; authorization: string; department: string; site: string };
  stop(): Promise<void>;
}

export async function startDemoPacs(o: { home: string; log?: Pick<Logger, 'info' | 'warn'>; studies?: number }): Promise<DemoPacs> {
  const dir = path.join(o.home, 'demo-pacs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [httpPort, dicomPort, brokerPort] = [await freePort(), await freePort(), await freePort()];
  const orthanc = await startOrthanc({ dir: path.join(dir, 'orthanc'), httpPort, dicomPort, brokerPort, aet: 'DEMO_PACS', users: { broker: randomBytes(18).toString('base64url') }, ...(o.log ? { log: o.log } : {}) });
  try {
    const studies = await makeSyntheticStudy({ dir: path.join(dir, 'synthetic'), studies: o.studies ?? 8, seriesPerStudy: 2, instancesPerSeries: 3, seed: 3 });
    await loadStudies(orthanc, studies.files);
    return {
      orthanc,
      studies,
      target: { name: 'demo-pacs', upstream: orthanc.httpUrl, root: '/dicom-web', upstreamRoot: '/dicom-web', authorization: orthanc.authorization, department: 'radiology', site: 'demo' },
      stop: async () => {
        await orthanc.stop();
      },
    };
  } catch (err) {
    await orthanc.stop();
    throw err;
  }
}

/** A free loopback port (Orthanc listens on all interfaces; its remote access stays off). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
