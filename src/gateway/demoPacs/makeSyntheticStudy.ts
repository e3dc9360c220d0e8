// Generates synthetic DICOM studies from the Secondary Capture fixture with dump2dcm.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DemoPacsError } from './DemoPacsError.js';
import { SYNTHETIC_UID_ROOT, syntheticDump } from './syntheticDump.js';

const run = promisify(execFile);

export const DUMP2DCM = '/usr/bin/dump2dcm';

export interface MakeSyntheticStudyOptions {
  /** Output directory for .dcm files (created). */
  dir: string;
  studies: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  /** Same patient for every study; default one synthetic patient per study. */
  patientId?: string;
  /** Non-negative integer: the same seed gives the same UIDs. */
  seed: number;
  /** Default `<repo>/../shared/domain/fixtures/synthetic-sc.dump`. */
  fixture?: string;
}

export interface SyntheticInstance {
  path: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  patientId: string;
}

export interface SyntheticStudy {
  studyUid: string;
  patientId: string;
  accessionNumber: string;
  department: string;
  series: Array<{ seriesUid: string; instances: SyntheticInstance[] }>;
}

export interface SyntheticStudies {
  studies: SyntheticStudy[];
  files: string[];
  instances: SyntheticInstance[];
}

const DEPARTMENTS = ['Radiology', 'Cardiology', 'Oncology', 'Emergency'] as const;
const MAX_INSTANCES = 100_000;
const CONCURRENCY = 8;

/** `<repo>/../shared/domain/fixtures/synthetic-sc.dump`, the repo found as the nearest folder with package.json. */
export function defaultFixturePath(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  // The repository's own copy (deploy/demo), else the shared fixtures beside it.
  const own = path.resolve(d, 'deploy', 'demo', 'synthetic-sc.dump');
  return existsSync(own) ? own : path.resolve(d, '..', 'shared', 'domain', 'fixtures', 'synthetic-sc.dump');
}

export async function makeSyntheticStudy(options: MakeSyntheticStudyOptions): Promise<SyntheticStudies> {
  const { studies, seriesPerStudy, instancesPerSeries, seed } = options;
  for (const [name, n] of Object.entries({ studies, seriesPerStudy, instancesPerSeries })) {
    if (!Number.isSafeInteger(n) || n < 1) throw new DemoPacsError('synthetic-invalid', `${name}: expected a positive integer`);
  }
  if (studies * seriesPerStudy * instancesPerSeries > MAX_INSTANCES) {
    throw new DemoPacsError('synthetic-invalid', `at most ${MAX_INSTANCES} instances per call`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DemoPacsError('synthetic-invalid', 'seed: expected a non-negative integer');
  if (!existsSync(DUMP2DCM)) throw new DemoPacsError('dcmtk-not-installed', 'dcmtk is not installed: run deploy/setup.sh');
  const fixture = options.fixture ?? defaultFixturePath();
  if (!existsSync(fixture)) {
    throw new DemoPacsError('fixture-missing', `synthetic DICOM fixture not found at ${fixture} (expected shared/ beside the repository)`);
  }
  const template = readFileSync(fixture, 'utf8');
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true });

  // UIDs: root.seed.study[.series[.instance]], components counted from 1 (no leading zeros).
  const base = `${SYNTHETIC_UID_ROOT}.${seed}`;
  const day0 = Date.UTC(2024, 0, 1);
  const jobs: Array<{ dump: string; instance: SyntheticInstance }> = [];
  const out: SyntheticStudy[] = [];
  for (let s = 1; s <= studies; s++) {
    const studyUid = `${base}.${s}`;
    const patientId = options.patientId ?? `SYN${seed}-${s}`;
    const accessionNumber = `A${seed}-${s}`.slice(0, 16);
    const department = DEPARTMENTS[(seed + s) % DEPARTMENTS.length]!;
    const studyDate = new Date(day0 + ((seed + s) % 365) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const study: SyntheticStudy = { studyUid, patientId, accessionNumber, department, series: [] };
    for (let se = 1; se <= seriesPerStudy; se++) {
      const seriesUid = `${studyUid}.${se}`;
      const series = { seriesUid, instances: [] as SyntheticInstance[] };
      for (let i = 1; i <= instancesPerSeries; i++) {
        const sopUid = `${seriesUid}.${i}`;
        if (sopUid.length > 64) throw new DemoPacsError('synthetic-invalid', 'seed too large: UIDs would exceed 64 characters');
        const instance: SyntheticInstance = { path: path.join(dir, `${seed}-${s}-${se}-${i}.dcm`), studyUid, seriesUid, sopUid, patientId };
        let dump: string;
        try {
          dump = syntheticDump(template, {
            studyUid,
            seriesUid,
            sopUid,
            patientId,
            patientName: `Synthetic^Patient ${patientId}`,
            accessionNumber,
            studyDate,
            institutionName: 'Radgate Synthetic Hospital',
            referringPhysician: 'Synthetic^Referrer',
            department,
            studyId: `S${s}`,
            seriesNumber: se,
            instanceNumber: i,
            studyDescription: `Synthetic study ${s} seed ${seed}`,
          });
        } catch (cause) {
          throw new DemoPacsError('synthetic-invalid', (cause as Error).message, { cause });
        }
        jobs.push({ dump, instance });
        series.instances.push(instance);
      }
      study.series.push(series);
    }
    out.push(study);
  }

  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const dumpPath = `${job.instance.path}.dump`;
      writeFileSync(dumpPath, job.dump);
      try {
        await run(DUMP2DCM, ['+te', dumpPath, job.instance.path]);
      } catch (cause) {
        const stderr = (cause as { stderr?: string }).stderr ?? '';
        throw new DemoPacsError('synthetic-invalid', `dump2dcm failed for ${path.basename(dumpPath)}`, { cause, detail: stderr });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  const instances = out.flatMap((st) => st.series.flatMap((se) => se.instances));
  return { studies: out, instances, files: instances.map((i) => i.path) };
}
