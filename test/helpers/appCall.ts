// One in-process request to a Hono app as an agent (bearer token) would send it; JSON in,
// JSON (or text) out. Shared by the module fixtures.
export interface AppLike {
  request(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Response | Promise<Response>;
}

export async function appCall(app: AppLike, token: string | undefined, method: string, path: string, body?: unknown, raw?: { body: string; type?: string }): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (raw) {
    payload = raw.body;
    headers['content-type'] = raw.type ?? 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await app.request(path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}
