import { describe, expect, it } from 'vitest';
import { identityUri, parseIdentityUri } from './identityUris.js';
import { readCertificateIdentity } from './readCertificateIdentity.js';

const peer = (san: string | undefined, serialNumber = '8F01') => ({ serialNumber, subjectaltname: san });
const uris = (...u: string[]) => u.map((x) => `URI:${x}`).join(', ');

describe('readCertificateIdentity', () => {
  it('reads user, device, session and grant from the URI SANs', () => {
    const san = uris('urn:radgate:user:u1', 'urn:radgate:device:d1', 'urn:radgate:session:s1', 'urn:radgate:grant:g1');
    expect(readCertificateIdentity(peer(san, '008f01'))).toEqual({ serial: '8F01', userId: 'u1', deviceId: 'd1', sessionId: 's1', grantId: 'g1' });
  });

  it('round-trips identifiers with reserved characters through percent-encoding', () => {
    const user = 'alice@example.org, URI:urn:radgate:user:root';
    const san = uris(identityUri('user', user), identityUri('device', 'dev/1:2'), identityUri('session', 's 1'));
    expect(san).not.toContain('user:root');
    expect(readCertificateIdentity(peer(san))).toMatchObject({ userId: user, deviceId: 'dev/1:2', sessionId: 's 1', grantId: undefined });
  });

  it('ignores SANs outside the radgate namespace', () => {
    const san = `DNS:example.org, ${uris('https://x.example', 'urn:radgate:user:u', 'urn:radgate:device:d', 'urn:radgate:session:s')}`;
    expect(readCertificateIdentity(peer(san))?.userId).toBe('u');
  });

  it('rejects a certificate without a session', () => {
    expect(readCertificateIdentity(peer(uris('urn:radgate:user:u', 'urn:radgate:device:d')))).toBeUndefined();
  });

  it('rejects a certificate naming two users', () => {
    const san = uris('urn:radgate:user:u', 'urn:radgate:user:admin', 'urn:radgate:device:d', 'urn:radgate:session:s');
    expect(readCertificateIdentity(peer(san))).toBeUndefined();
  });

  it('rejects an unknown radgate URI kind or a badly encoded id', () => {
    const base = ['urn:radgate:user:u', 'urn:radgate:device:d', 'urn:radgate:session:s'];
    expect(readCertificateIdentity(peer(uris(...base, 'urn:radgate:role:admin')))).toBeUndefined();
    expect(readCertificateIdentity(peer(uris(...base.slice(1), 'urn:radgate:user:%E0%A4%A')))).toBeUndefined();
  });

  it('rejects a SAN string that node had to quote, since quoting could smuggle entries', () => {
    const san = `DNS:"a, URI:urn:radgate:user:admin", ${uris('urn:radgate:device:d', 'urn:radgate:session:s')}`;
    expect(readCertificateIdentity(peer(san))).toBeUndefined();
  });

  it('rejects a certificate without SANs or with a non-hex serial', () => {
    expect(readCertificateIdentity(peer(undefined))).toBeUndefined();
    const san = uris('urn:radgate:user:u', 'urn:radgate:device:d', 'urn:radgate:session:s');
    expect(readCertificateIdentity(peer(san, 'not-hex'))).toBeUndefined();
  });

  it('parses only the four identity kinds', () => {
    expect(parseIdentityUri('urn:radgate:grant:g%3A1')).toEqual({ kind: 'grant', id: 'g:1' });
    expect(parseIdentityUri('urn:radgate:user:')).toBeUndefined();
    expect(parseIdentityUri('urn:other:user:u')).toBeUndefined();
  });
});
