import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.js';
import { createOidcClients } from './createOidcClients.js';

const entry = (over: Record<string, unknown>) =>
  configSchema.parse({ identity: { idps: [{ name: 'a', issuer: 'https://idp.example', clientId: 'c', ...over }] } }).identity.idps[0]!;

describe('createOidcClients', () => {
  it('holds several IdPs by name and refuses unknown names with a typed error', () => {
    const clients = createOidcClients([entry({}), entry({ name: 'b', issuer: 'https://other.example' })], { mode: 'production' });
    expect(clients.names()).toEqual(['a', 'b']);
    expect(clients.get('b').config.issuer).toBe('https://other.example');
    expect(() => clients.get('c')).toThrow(expect.objectContaining({ code: 'bad-request', reason: 'idp-unknown' }) as Error);
  });

  it('refuses two IdPs with the same name', () => {
    expect(() => createOidcClients([entry({}), entry({})], { mode: 'development' })).toThrow(expect.objectContaining({ code: 'config-invalid' }) as Error);
  });

  it.each([
    ['plain http without allowInsecureHttp', entry({ issuer: 'http://127.0.0.1:9000' }), 'development'],
    ['allowInsecureHttp in production', entry({ issuer: 'http://127.0.0.1:9000', allowInsecureHttp: true }), 'production'],
    ['allowInsecureHttp for a non-loopback issuer', entry({ issuer: 'http://idp.hospital.example', allowInsecureHttp: true }), 'development'],
  ] as const)('refuses %s', (_what, idp, mode) => {
    expect(() => createOidcClients([idp], { mode })).toThrow(expect.objectContaining({ code: 'config-invalid' }) as Error);
  });

  it('warns about a plain-http loopback IdP in development', () => {
    const warnings: string[] = [];
    createOidcClients([entry({ issuer: 'http://127.0.0.1:9000', allowInsecureHttp: true })], { mode: 'development', warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('plain http')]);
  });

  it('reports an unreachable IdP as unavailable, and retries discovery later', async () => {
    let calls = 0;
    const clients = createOidcClients([entry({})], {
      mode: 'production',
      fetch: () => {
        calls++;
        return Promise.reject(new TypeError('fetch failed'));
      },
    });
    await expect(clients.get('a').configuration()).rejects.toMatchObject({ reason: 'idp-unavailable', status: 502 });
    await expect(clients.get('a').configuration()).rejects.toMatchObject({ reason: 'idp-unavailable' });
    expect(calls).toBe(2);
  });
});
