// Access request bodies: JSON of at most 16 KiB, an empty body reads as {}; failures become AccessErrors.
import { readJsonBody as readBody } from '../http/index.js';
import { AccessError } from './AccessError.js';

export const MAX_BODY_BYTES = 16 * 1024;

export const readJsonBody = (req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> =>
  readBody(req, { maxBytes, allowEmpty: true, fail: (reason, detail, cause) => new AccessError(reason, { ...(detail ? { detail } : {}), ...(cause ? { cause } : {}) }) });
