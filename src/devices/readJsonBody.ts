// Reads a JSON request body of at most `maxBytes` (counted as it streams, whatever
// Content-Length claims); non-JSON and oversized bodies become DeviceErrors.
import { DeviceError } from './DeviceError.js';

export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonBody(req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new DeviceError('request-too-large');
  if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) throw new DeviceError('request-malformed', { detail: 'content-type must be application/json' });
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new DeviceError('request-too-large');
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch (err) {
    throw new DeviceError('request-malformed', { cause: err, detail: 'body is not JSON' });
  }
}
