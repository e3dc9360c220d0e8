// The real-PACS peer: Orthanc with synthetic studies answers QIDO/WADO-RS with auth and C-ECHO only to the broker AE.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DemoPacsError, loadStudies, makeSyntheticStudy, startOrthanc, type SyntheticStudies } from '../../src/gateway/demoPacs/index.js';
import { freePort } from '../helpers/ports.js';
import { describeWithOrthanc, withOrthanc, type TestOrthanc } from '../helpers/orthanc.js';
import { tmpHome } from '../helpers/tmpHome.js';

const run = promisify(execFile);

function echo(orthanc: TestOrthanc, callingAet: string, calledAet: string) {
  return run('echoscu', ['-to', '5', '-ta', '5', '-aet', callingAet, '-aec', calledAet, '127.0.0.1', String(orthanc.dicomPort)]).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeWithOrthanc('Orthanc peer with synthetic studies', () => {
  let orthanc: TestOrthanc;
  let data: SyntheticStudies;
  let dataDir: string;
  let stopped = false;

  beforeAll(async () => {
    dataDir = tmpHome('radgate-synth-');
    [orthanc, data] = await Promise.all([
      withOrthanc(),
      makeSyntheticStudy({ dir: dataDir, studies: 2, seriesPerStudy: 2, instancesPerSeries: 2, seed: 4242 }),
    ]);
    console.info(`orthanc start ${orthanc.startMs} ms`);
  });

  afterAll(async () => {
    if (!stopped) await orthanc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads synthetic instances over the REST API', async () => {
    const loaded = await loadStudies(orthanc, data.files);
    expect(loaded).toHaveLength(8);
    expect(loaded.every((l) => l.status === 'Success')).toBe(true);
    expect(new Set(loaded.map((l) => l.studyId)).size).toBe(2);
  });

  it('lists both studies with their StudyInstanceUIDs over QIDO-RS', async () => {
    const res = await fetch(`${orthanc.httpUrl}/dicom-web/studies`, {
      headers: { authorization: orthanc.authorization, accept: 'application/dicom+json' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<Record<string, { Value?: unknown[] }>>;
    const uids = body.map((s) => s['0020000D']?.Value?.[0]).sort();
    expect(uids).toEqual(data.studies.map((s) => s.studyUid).sort());
  });

  it('returns WADO-RS metadata of one instance with its synthetic identity', async () => {
    const st = data.studies[0]!;
    const inst = st.series[1]!.instances[0]!;
    const res = await fetch(`${orthanc.httpUrl}/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}/metadata`, {
      headers: { authorization: orthanc.authorization, accept: 'application/dicom+json' },
    });
    expect(res.status).toBe(200);
    const [meta] = (await res.json()) as Array<Record<string, { Value?: unknown[] }>>;
    expect(meta?.['00080018']?.Value?.[0]).toBe(inst.sopUid);
    expect(meta?.['00100020']?.Value?.[0]).toBe(st.patientId);
    expect(meta?.['00081040']?.Value?.[0]).toBe(st.department);
    expect(meta?.['00080080']?.Value?.[0]).toBe('Radgate Synthetic Hospital');
  });

  it('refuses unauthenticated and wrongly authenticated HTTP requests with 401', async () => {
    const variants: Array<Record<string, string>> = [{}, { authorization: 'Basic ' + Buffer.from('broker:wrong').toString('base64') }];
    for (const headers of variants) {
      for (const p of ['/system', '/dicom-web/studies']) {
        const res = await fetch(`${orthanc.httpUrl}${p}`, { headers });
        await res.arrayBuffer();
        expect(res.status, p).toBe(401);
      }
    }
  });

  it('answers C-ECHO from the broker AE', async () => {
    expect((await echo(orthanc, 'BROKER', orthanc.aet)).code).toBe(0);
  });

  it('rejects C-ECHO addressed to an unknown called AE', async () => {
    const r = await echo(orthanc, 'BROKER', 'NOT_THE_PACS');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Called AE Title Not Recognized/);
  });

  it('rejects C-ECHO from an unregistered calling AE', async () => {
    // Orthanc 1.10 with DicomAlwaysAllowEcho false rejects this at association time.
    const r = await echo(orthanc, 'STRANGER', orthanc.aet);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Calling AE Title Not Recognized/);
  });

  it('stops within the SIGKILL deadline and leaves no process behind', async () => {
    const pid = orthanc.pid;
    expect(alive(pid)).toBe(true);
    const ms = await orthanc.stop();
    stopped = true;
    console.info(`orthanc stop ${ms} ms`);
    expect(ms).toBeLessThan(9_000);
    expect(alive(pid)).toBe(false);
  });
});

describeWithOrthanc('Orthanc peer start-up failures', () => {
  it('fails with orthanc-start-failed and the log tail when the HTTP port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const { port } = blocker.address() as { port: number };
    const dir = tmpHome('radgate-orthanc-fail-');
    try {
      const err = await startOrthanc({ dir, httpPort: port, dicomPort: await freePort(), aet: 'PACS_UT', users: { broker: 'x' } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DemoPacsError);
      expect((err as DemoPacsError).code).toBe('orthanc-start-failed');
      expect((err as DemoPacsError).message).toMatch(/Orthanc log tail/);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
