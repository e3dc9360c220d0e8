import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from './createNodeFetch.js';

describe('createNodeFetch', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') return res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/big') return res.end(Buffer.alloc(2048));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body: Buffer.concat(chunks).toString() }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends method, headers and a form body and returns status, headers and body', async () => {
    const f = createNodeFetch();
    const res = await f(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ a: 'b' }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', body: 'a=b' });
  });

  it('returns redirects instead of following them', async () => {
    const res = await createNodeFetch()(`${base}/redirect`, { method: 'GET' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere');
  });

  it('refuses responses over the size cap and non-http schemes', async () => {
    await expect(createNodeFetch({ maxResponseBytes: 1024 })(`${base}/big`, { method: 'GET' })).rejects.toThrow(/larger than/);
    await expect(createNodeFetch()('file:///etc/passwd', { method: 'GET' })).rejects.toThrow(/unsupported protocol/);
  });
});
