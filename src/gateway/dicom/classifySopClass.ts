// Which DIMSE service an abstract syntax (SOP class) belongs to, so a presentation
// context is decided by the action it enables. Unknown SOP classes are not supported
// (default deny): storage commitment, worklist updates, N-services and private classes.
import type { RadgateAction } from '../../policy/index.js';

export type DicomService = 'echo' | 'find' | 'get' | 'move' | 'store';

export const SERVICE_ACTION: Record<DicomService, RadgateAction> = {
  echo: 'dicom.echo',
  find: 'dicom.find',
  get: 'dicom.get',
  move: 'dicom.move',
  store: 'dicom.store',
};

/** PS3.4 Annex A (Verification) and C (Query/Retrieve), exact UIDs. */
const EXACT = new Map<string, DicomService>([
  ['1.2.840.10008.1.1', 'echo'],
  ['1.2.840.10008.5.1.4.1.2.1.1', 'find'], // Patient Root Q/R FIND
  ['1.2.840.10008.5.1.4.1.2.2.1', 'find'], // Study Root Q/R FIND
  ['1.2.840.10008.5.1.4.1.2.3.1', 'find'], // Patient/Study Only Q/R FIND (retired)
  ['1.2.840.10008.5.1.4.31', 'find'], // Modality Worklist FIND
  ['1.2.840.10008.5.1.4.1.2.1.2', 'move'],
  ['1.2.840.10008.5.1.4.1.2.2.2', 'move'],
  ['1.2.840.10008.5.1.4.1.2.3.2', 'move'],
  ['1.2.840.10008.5.1.4.1.2.4.2', 'move'], // Composite Instance Root Retrieve MOVE
  ['1.2.840.10008.5.1.4.1.2.1.3', 'get'],
  ['1.2.840.10008.5.1.4.1.2.2.3', 'get'],
  ['1.2.840.10008.5.1.4.1.2.3.3', 'get'],
  ['1.2.840.10008.5.1.4.1.2.4.3', 'get'], // Composite Instance Root Retrieve GET
]);

/** PS3.4 Annex B: storage SOP classes live under 1.2.840.10008.5.1.4.1.1. */
const STORAGE_PREFIX = '1.2.840.10008.5.1.4.1.1.';

export function classifySopClass(uid: string): DicomService | undefined {
  const exact = EXACT.get(uid);
  if (exact) return exact;
  if (uid.startsWith(STORAGE_PREFIX) && uid.length > STORAGE_PREFIX.length) return 'store';
  return undefined;
}

/** The service a request command is allowed to carry on a context of `service`. */
export function commandService(commandField: number): DicomService | undefined {
  switch (commandField) {
    case 0x0030:
      return 'echo';
    case 0x0020:
      return 'find';
    case 0x0010:
      return 'get';
    case 0x0021:
      return 'move';
    case 0x0001:
      return 'store';
    default:
      return undefined;
  }
}
