import { describe, expect, it } from 'vitest';
import { dicomwebRoutes } from './dicomwebRoutes.js';
import type { DicomwebClassification } from './dicomwebTypes.js';
import { parseDicomwebRequest } from './parseDicomwebRequest.js';

// Property: every accepted request's upstreamPath re-parses (under the upstream root) to the same result,
// and contains nothing normalisation would refuse. Seeded so failures reproduce.
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}
const rand = prng(0x5eed);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const uid = () => Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pick(['0', '1', '2', '840', '10008', '99999999'])).join('.').slice(0, 64).replace(/\.$/, '');
const frames = () => [...new Set(Array.from({ length: 1 + Math.floor(rand() * 5) }, () => 1 + Math.floor(rand() * 50)))].join(',');
const noise = ['', '', '', '/', '//', '/..', '/.', '%2e', '%2F', '%252e', '%c0%ae', '\\', ';x', '?', '?limit=5', '?PatientName=A%5E*', '?includefield=all&PatientID=X', '?viewport=10,10', '?x=1'];

function sample(): { method: string; rawUrl: string } {
  const r = pick(dicomwebRoutes);
  const segs = r.pattern.map((p) => (typeof p === 'string' ? p : p.param === 'frames' ? frames() : uid()));
  const rawUrl = `/dicom-web/${segs.join('/')}${pick(noise)}`;
  return { method: r.method === 'GET' ? pick(['GET', 'HEAD']) : 'POST', rawUrl };
}

const view = (r: DicomwebClassification) => (r.ok ? { ...r, query: r.query.toString(), upstreamPath: '' } : r);

describe('upstreamPath round trip', () => {
  it('re-parses every accepted request to the same classification (2000 seeded samples)', () => {
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const { method, rawUrl } = sample();
      const r = parseDicomwebRequest({ method, rawUrl, root: '/dicom-web', upstreamRoot: '/up/dicom-web' });
      if (!r.ok) continue;
      accepted++;
      expect(r.upstreamPath).not.toMatch(/\/\/|\/\.\.?(\/|$|\?)|%2[eEfF]|%25|\\|\/$/);
      const again = parseDicomwebRequest({ method, rawUrl: r.upstreamPath, root: '/up/dicom-web' });
      expect(view(again), rawUrl).toEqual(view(r));
      expect(again.ok && again.upstreamPath).toBe(r.upstreamPath);
    }
    expect(accepted).toBeGreaterThan(500);
  });
});
