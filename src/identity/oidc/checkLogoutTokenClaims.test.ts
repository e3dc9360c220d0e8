import { describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT, checkLogoutTokenClaims } from './checkLogoutTokenClaims.js';

const good = { iss: 'https://idp', aud: 'radgate', iat: 1, jti: 'j', sub: 'alice', sid: 's', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } };

describe('checkLogoutTokenClaims (Back-Channel Logout 1.0, 2.6)', () => {
  it('accepts a logout token with sub, sid or both', () => {
    expect(checkLogoutTokenClaims({ typ: 'logout+jwt' }, good)).toEqual([]);
    expect(checkLogoutTokenClaims({}, { ...good, sid: undefined })).toEqual([]);
    expect(checkLogoutTokenClaims({ typ: 'JWT' }, { ...good, sub: undefined })).toEqual([]);
  });

  it.each([
    ['no events claim', {}, { events: undefined }, 'events-missing'],
    ['events is not an object', {}, { events: [BACKCHANNEL_LOGOUT_EVENT] }, 'events-missing'],
    ['the logout event is not an object', {}, { events: { [BACKCHANNEL_LOGOUT_EVENT]: true } }, 'events-missing'],
    ['a nonce', {}, { nonce: 'n' }, 'nonce-present'],
    ['neither sub nor sid', {}, { sub: undefined, sid: undefined }, 'sub-and-sid-missing'],
    ['no jti', {}, { jti: undefined }, 'jti-missing'],
    ['no iat', {}, { iat: undefined }, 'iat-missing'],
    ['an access-token typ', { typ: 'at+jwt' }, {}, 'typ-not-logout'],
  ])('refuses a token with %s', (_what, header, change, problem) => {
    expect(checkLogoutTokenClaims(header, { ...good, ...change })).toContain(problem);
  });
});
