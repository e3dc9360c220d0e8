import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { relyingPartyFromConfig, requiresUserVerification } from './relyingParty.js';
import { registrationRoute } from './registrationRoute.js';
import type { SessionInfo } from '../types.js';

const config = (overrides: Record<string, unknown>) => loadConfig({ env: {}, cwd: '/nonexistent', overrides });

describe('relyingPartyFromConfig', () => {
  it('defaults the RP ID and origin to the public URL, caps challenges at five minutes and the enrolment window at ten', () => {
    const rp = relyingPartyFromConfig(config({ 'identity.webauthn.challengeTtl': '10m', 'identity.webauthn.enrolmentWindow': '1h' }));
    expect(rp).toMatchObject({ rpId: 'localhost', origins: ['https://localhost:8443'], challengeTtlSeconds: 300, enrolmentWindowSeconds: 600 });
  });

  it('refuses an IP address as RP ID, and origins outside the RP ID', () => {
    expect(() => relyingPartyFromConfig(config({ publicUrl: 'https://10.0.0.5:8443' }))).toThrow(/IP address/);
    expect(() => relyingPartyFromConfig(config({ 'identity.webauthn.rpId': 'radgate.example', 'identity.webauthn.origins': ['https://evil.example'] }))).toThrow(
      /not within rpId/,
    );
    expect(relyingPartyFromConfig(config({ 'identity.webauthn.rpId': 'example.org', publicUrl: 'https://gate.example.org' })).origins).toEqual(['https://gate.example.org']);
  });

  it('requires user verification only for the configured roles', () => {
    const rp = { userVerificationRoles: ['admin'] };
    expect(requiresUserVerification(rp, ['clinician', 'admin'])).toBe(true);
    expect(requiresUserVerification(rp, ['clinician'])).toBe(false);
  });
});

describe('registrationRoute', () => {
  const rp = { enrolment: 'oidc-window' as const, enrolmentWindowSeconds: 600, stepUpMaxAgeSeconds: 300 };
  const s = (p: Partial<SessionInfo>): SessionInfo => ({
    id: 's',
    userId: 'u',
    kind: 'browser',
    state: 'pending-key',
    idp: 'h',
    idpSid: null,
    amr: [],
    credentialId: null,
    parentId: null,
    csrfSecret: 'x',
    createdAt: 0,
    lastSeenAt: 0,
    expiresAt: 1e12,
    oidcAt: 0,
    verifiedAt: null,
    ...p,
  });
  const cases: [string, Parameters<typeof registrationRoute>[0], ReturnType<typeof registrationRoute>][] = [
    ['first key inside the window', { session: s({}), activeKeys: 0, anyKeys: 0, rp, now: 600_000 }, { route: 'first-key-window' }],
    ['first key after the window', { session: s({}), activeKeys: 0, anyKeys: 0, rp, now: 600_001 }, { route: 'enrolment-code', because: 'window-closed' }],
    ['first key, admin-code mode', { session: s({}), activeKeys: 0, anyKeys: 0, rp: { ...rp, enrolment: 'admin-code' }, now: 1 }, { route: 'enrolment-code', because: 'admin-code' }],
    ['only locked keys', { session: s({}), activeKeys: 0, anyKeys: 1, rp, now: 1 }, { route: 'enrolment-code', because: 'previous-keys' }],
    ['another key, pending session', { session: s({}), activeKeys: 1, anyKeys: 1, rp, now: 1 }, { route: 'refused', reason: 'security-key-required' }],
    ['another key, stale verification', { session: s({ state: 'active', verifiedAt: 0 }), activeKeys: 1, anyKeys: 1, rp, now: 300_001 }, { route: 'refused', reason: 'step-up-required' }],
    ['another key, fresh verification', { session: s({ state: 'active', verifiedAt: 0 }), activeKeys: 1, anyKeys: 1, rp, now: 300_000 }, { route: 'additional-key' }],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(registrationRoute(input)).toEqual(want));
});
