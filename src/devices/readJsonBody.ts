// Device request bodies: JSON of at most 64 KiB; failures become DeviceErrors.
import { readJsonBody as readBody } from '../http/index.js';
import { DeviceError } from './DeviceError.js';

export const MAX_BODY_BYTES = 64 * 1024;

export const readJsonBody = (req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> =>
  readBody(req, { maxBytes, fail: (reason, detail, cause) => new DeviceError(reason, { ...(detail ? { detail } : {}), ...(cause ? { cause } : {}) }) });
