// Loads DICOM files into Orthanc over its native REST API (test and demo set-up only).
import { readFile } from 'node:fs/promises';
import { DemoPacsError } from './DemoPacsError.js';
import type { OrthancHandle } from './startOrthanc.js';

export interface LoadedInstance {
  file: string;
  /** Orthanc's own ids (not DICOM UIDs). */
  instanceId: string;
  seriesId: string;
  studyId: string;
  patientId: string;
  status: 'Success' | 'AlreadyStored';
}

export async function loadStudies(
  orthanc: Pick<OrthancHandle, 'httpUrl' | 'authorization'>,
  files: readonly string[],
): Promise<LoadedInstance[]> {
  const loaded: LoadedInstance[] = [];
  for (const file of files) {
    const body = await readFile(file);
    let res: Response;
    try {
      res = await fetch(`${orthanc.httpUrl}/instances`, {
        method: 'POST',
        headers: { authorization: orthanc.authorization, 'content-type': 'application/dicom' },
        body,
      });
    } catch (cause) {
      throw new DemoPacsError('load-failed', `POST /instances failed for ${file}`, { cause });
    }
    const text = await res.text();
    if (!res.ok) throw new DemoPacsError('load-failed', `POST /instances answered ${res.status} for ${file}`, { detail: text.slice(0, 500) });
    const j = JSON.parse(text) as { ID?: string; ParentSeries?: string; ParentStudy?: string; ParentPatient?: string; Status?: string };
    if (!j.ID || !j.ParentSeries || !j.ParentStudy || !j.ParentPatient || (j.Status !== 'Success' && j.Status !== 'AlreadyStored')) {
      throw new DemoPacsError('load-failed', `unexpected answer to POST /instances for ${file}`, { detail: text.slice(0, 500) });
    }
    loaded.push({ file, instanceId: j.ID, seriesId: j.ParentSeries, studyId: j.ParentStudy, patientId: j.ParentPatient, status: j.Status });
  }
  return loaded;
}
