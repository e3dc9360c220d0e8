// Reads a JSON object body of at most `maxBytes` (counted as it streams, whatever
// Content-Length claims); anything else becomes an AccessError.
import { AccessError } from './AccessError.js';

export const MAX_BODY_BYTES = 16 * 1024;

export async function readJsonBody(req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AccessError('request-too-large');
  const type = req.headers.get('content-type') ?? '';
  if (!req.body) return {};
  if (!/^application\/json\b/i.test(type)) throw new AccessError('request-malformed', { detail: 'content-type must be application/json' });
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AccessError('request-too-large');
    }
    chunks.push(value);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch (err) {
    throw new AccessError('request-malformed', { cause: err, detail: 'body is not JSON' });
  }
}
