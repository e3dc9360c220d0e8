import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../config/index.js';
import { createDevIdp } from './createDevIdp.js';
import { devIdpConfig } from './devIdpConfig.js';

function config(over: { publicUrl?: string; mode?: 'development' | 'production'; enabled?: boolean } = {}): Pick<Config, 'publicUrl' | 'mode' | 'dev'> {
  return { publicUrl: over.publicUrl ?? 'https://localhost:8443', mode: over.mode ?? 'development', dev: { idp: { enabled: over.enabled ?? true } } };
}
const urls = { redirectUri: 'https://localhost:8443/auth/oidc/callback', backchannelLogoutUri: 'https://localhost:8443/auth/oidc/backchannel-logout/dev' };

describe('devIdpConfig', () => {
  it('gives an IdP entry that the config schema accepts and a client with the same secret', () => {
    const c = config();
    const setup = devIdpConfig(c, urls);
    expect(setup.issuer).toBe('https://localhost:8443/dev-idp');
    expect(configSchema.parse({ identity: { idps: [setup.idp] } }).identity.idps[0]).toMatchObject({ name: 'dev', issuer: setup.issuer, allowInsecureHttp: false });
    expect(setup.client).toMatchObject({ clientId: setup.idp.clientId, clientSecret: setup.idp.clientSecret, redirectUris: [urls.redirectUri], backchannelLogoutUri: urls.backchannelLogoutUri });
    expect(setup.idp.clientSecret!.length).toBeGreaterThanOrEqual(43);
    // Asked again for the same config (identity module and IdP wiring), the halves still agree.
    expect(devIdpConfig(c, urls).idp.clientSecret).toBe(setup.idp.clientSecret);
    expect(devIdpConfig(config(), urls).idp.clientSecret).not.toBe(setup.idp.clientSecret);
  });

  it.each([
    ['production mode', config({ mode: 'production' })],
    ['a non-loopback public URL', config({ publicUrl: 'https://radgate.hospital.example' })],
    ['dev.idp.enabled false', config({ enabled: false })],
  ])('refuses %s', (_what, c) => {
    expect(() => devIdpConfig(c, urls)).toThrow(expect.objectContaining({ code: 'config-invalid' }) as Error);
  });
});

describe('createDevIdp', () => {
  it('refuses to start with a non-loopback issuer host', async () => {
    await expect(createDevIdp({ issuer: 'https://idp.hospital.example/dev-idp', clients: [] })).rejects.toMatchObject({ code: 'config-invalid' });
  });
});
