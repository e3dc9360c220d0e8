// The DICOMweb allow-list: every path shape the gateway forwards, and nothing else.
import type { DicomwebAction, DicomwebKind, DicomwebLevel, DicomwebVariant } from './dicomwebTypes.js';

/** A literal segment, or a placeholder filled from (and rebuilt into) the path. */
export type RouteSegment = string | { param: 'study' | 'series' | 'instance' | 'frames' };

export interface DicomwebRoute {
  id: string;
  /** Segments after the root. */
  pattern: readonly RouteSegment[];
  /** GET also admits HEAD. */
  method: 'GET' | 'POST';
  action: DicomwebAction;
  kind: DicomwebKind;
  level: DicomwebLevel;
  variant?: DicomwebVariant;
  /** Which query grammar applies: QIDO search keys, rendered-image options, or none at all. */
  query: 'qido' | 'rendered' | 'thumbnail' | 'none';
}

const st = { param: 'study' } as const;
const se = { param: 'series' } as const;
const ins = { param: 'instance' } as const;
const fr = { param: 'frames' } as const;

const qido = (id: string, level: DicomwebLevel, pattern: RouteSegment[]): DicomwebRoute => ({
  id: `qido.${id}`, pattern, method: 'GET', action: 'dicomweb.query', kind: 'qido', level, query: 'qido',
});

/** PS3.18 10.4 WADO-RS: the resource, then its metadata, rendered and thumbnail forms. */
function wado(id: string, level: DicomwebLevel, pattern: RouteSegment[]): DicomwebRoute[] {
  const base = { method: 'GET', action: 'dicomweb.retrieve', kind: 'wado-rs', level } as const;
  return [
    { ...base, id: `wado-rs.${id}`, pattern, query: 'none' },
    { ...base, id: `wado-rs.${id}.metadata`, pattern: [...pattern, 'metadata'], variant: 'metadata', query: 'none' },
    { ...base, id: `wado-rs.${id}.rendered`, pattern: [...pattern, 'rendered'], variant: 'rendered', query: 'rendered' },
    { ...base, id: `wado-rs.${id}.thumbnail`, pattern: [...pattern, 'thumbnail'], variant: 'thumbnail', query: 'thumbnail' },
  ];
}

export const dicomwebRoutes: readonly DicomwebRoute[] = Object.freeze([
  // PS3.18 10.6 QIDO-RS search transactions.
  qido('studies', 'studies', ['studies']),
  qido('study.series', 'series', ['studies', st, 'series']),
  qido('study.series.instances', 'instances', ['studies', st, 'series', se, 'instances']),
  qido('study.instances', 'instances', ['studies', st, 'instances']),
  qido('series', 'series', ['series']),
  qido('instances', 'instances', ['instances']),
  // PS3.18 10.4 WADO-RS retrieve transactions.
  ...wado('study', 'studies', ['studies', st]),
  ...wado('series', 'series', ['studies', st, 'series', se]),
  ...wado('instance', 'instances', ['studies', st, 'series', se, 'instances', ins]),
  {
    id: 'wado-rs.frames', pattern: ['studies', st, 'series', se, 'instances', ins, 'frames', fr],
    method: 'GET', action: 'dicomweb.retrieve', kind: 'wado-rs', level: 'frames', variant: 'frames', query: 'none',
  },
  {
    id: 'wado-rs.frames.rendered', pattern: ['studies', st, 'series', se, 'instances', ins, 'frames', fr, 'rendered'],
    method: 'GET', action: 'dicomweb.retrieve', kind: 'wado-rs', level: 'frames', variant: 'rendered', query: 'rendered',
  },
  // PS3.18 10.5 STOW-RS store transactions.
  { id: 'stow.studies', pattern: ['studies'], method: 'POST', action: 'dicomweb.store', kind: 'stow', level: 'studies', query: 'none' },
  { id: 'stow.study', pattern: ['studies', st], method: 'POST', action: 'dicomweb.store', kind: 'stow', level: 'studies', query: 'none' },
]);

/**
 * Bulkdata is denied: BulkDataURIs are opaque, server-chosen addresses (Orthanc serves `.../bulk/{tag}`,
 * not `/bulkdata`), so no bounded path grammar here would be both correct and complete, and metadata
 * responses would need their BulkDataURIs rewritten first. Recognised only to give a precise reason.
 */
export const BULKDATA_SEGMENTS: readonly string[] = ['bulkdata', 'bulk'];
