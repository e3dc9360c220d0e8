import { describe, expect, it } from 'vitest';
import { validateLoopbackRedirectUri, type RedirectUriProblem } from './validateLoopbackRedirectUri.js';

describe('validateLoopbackRedirectUri (RFC 8252 7.3, 8.3)', () => {
  it.each([
    'http://127.0.0.1:49152/callback',
    'http://127.0.0.1:1/',
    'http://[::1]:8080/cb',
    'http://127.0.0.1:65535/a/b',
  ])('accepts %s', (uri) => {
    expect(validateLoopbackRedirectUri(uri)).toMatchObject({ ok: true, uri });
  });

  const refused: [string, RedirectUriProblem][] = [
    ['http://localhost:49152/callback', 'localhost'],
    ['http://LOCALHOST:49152/callback', 'localhost'],
    ['http://app.localhost:49152/callback', 'localhost'],
    ['http://127.0.0.1:49152/callback#x', 'fragment'],
    ['http://127.0.0.1:49152/callback#', 'fragment'],
    ['https://127.0.0.1:49152/callback', 'not-http'],
    ['com.example.app:/callback', 'not-http'],
    ['http://evil.example:49152/callback', 'not-loopback'],
    ['http://127.0.0.2:49152/callback', 'not-loopback'],
    ['http://0.0.0.0:49152/callback', 'not-loopback'],
    ['http://user@127.0.0.1:49152/callback', 'userinfo'],
    ['http://u:p@127.0.0.1:49152/callback', 'userinfo'],
    ['http://127.0.0.1/callback', 'no-port'],
    ['http://127.0.0.1:80/callback', 'no-port'],
    ['http://127.0.0.1:49152/callback?x=1', 'query'],
    ['http://127.1:49152/callback', 'not-canonical'],
    ['http://2130706433:49152/callback', 'not-canonical'],
    ['http://127.0.0.1:49152/a/../callback', 'not-canonical'],
    ['http://127.0.0.1:49152', 'not-canonical'],
    ['not a url', 'unparsable'],
    ['', 'unparsable'],
    [`http://127.0.0.1:49152/${'a'.repeat(600)}`, 'too-long'],
  ];
  it.each(refused)('refuses %s (%s)', (uri, reason) => {
    expect(validateLoopbackRedirectUri(uri)).toMatchObject({ ok: false, reason });
  });
});
