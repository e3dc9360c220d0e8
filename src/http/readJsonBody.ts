// Reads a JSON request body of at most `maxBytes`, counted as it streams (whatever
// Content-Length claims). Each module turns the two failures into its own typed error.
export type JsonBodyFailure = 'request-too-large' | 'request-malformed';

export interface ReadJsonBodyOptions {
  maxBytes: number;
  /** An absent or empty body reads as `{}` (otherwise it is malformed JSON). */
  allowEmpty?: boolean;
  fail: (reason: JsonBodyFailure, detail?: string, cause?: unknown) => Error;
}

export async function readJsonBody(req: Request, o: ReadJsonBodyOptions): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > o.maxBytes) throw o.fail('request-too-large');
  if (o.allowEmpty && !req.body) return {};
  if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) throw o.fail('request-malformed', 'content-type must be application/json');
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > o.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw o.fail('request-too-large');
      }
      chunks.push(value);
    }
  }
  if (o.allowEmpty && size === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch (err) {
    throw o.fail('request-malformed', 'body is not JSON', err);
  }
}
