import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeSerial, randomSerial, serialFromHex, serialFromMagnitude } from './serial.js';

describe('serials', () => {
  it('draws 128-bit serials that are positive and distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = randomSerial();
      // INTEGER content: 16 bytes, or 17 with a 0x00 sign byte when the high bit is set.
      const len = s.der[1]!;
      expect(s.der[0]).toBe(0x02);
      expect(s.der[2]! & 0x80).toBe(0);
      if (len === 17) expect(s.der[2]).toBe(0);
      expect(len).toBeLessThanOrEqual(17);
      seen.add(s.hex);
    }
    expect(seen.size).toBe(2000);
  });

  it('prefixes 0x00 when the high bit is set, and not otherwise', () => {
    expect(serialFromMagnitude(Buffer.from('8f01', 'hex')).der.toString('hex')).toBe('0203008f01');
    expect(serialFromMagnitude(Buffer.from('7f01', 'hex')).der.toString('hex')).toBe('02027f01');
    expect(serialFromMagnitude(Buffer.from('00007f', 'hex')).hex).toBe('7F');
  });

  it('normalises serials to the form node:tls reports', () => {
    expect(normalizeSerial('8f:01')).toBe('8F01');
    expect(normalizeSerial('008f01')).toBe('8F01');
    expect(normalizeSerial('f01')).toBe('0F01');
    expect(normalizeSerial('zz')).toBeUndefined();
    expect(normalizeSerial('')).toBeUndefined();
    expect(serialFromHex('008F01')!.hex).toBe('8F01');
  });

  it('matches X509Certificate.serialNumber for high-bit and short serials', () => {
    // Made with `openssl req -x509 -set_serial 0x8F0102030405060708090A0B0C0D0E0F` and `-set_serial 0x0A0B`.
    const highBit = `-----BEGIN CERTIFICATE-----
MIIBcTCCARagAwIBAgIRAI8BAgMEBQYHCAkKCwwNDg8wCgYIKoZIzj0EAwIwDzEN
MAsGA1UEAwwEdGVzdDAeFw0yNjExMjMxOTMxMDBaFw0zNjExMjAxOTMxMDBaMA8x
DTALBgNVBAMMBHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQSw+UtPWL1
gd79to4uv8Tpxql13fARtO+XSsdG9BTB21yhIeeUsKBnBZQpo+ZXHBVCTc8OiIcE
H2ty75c4sPKoo1MwUTAdBgNVHQ4EFgQURxGK4bgR0EzxTOJDdU0icN28WBYwHwYD
VR0jBBgwFoAURxGK4bgR0EzxTOJDdU0icN28WBYwDwYDVR0TAQH/BAUwAwEB/zAK
BggqhkjOPQQDAgNJADBGAiEAjBISXAttSGkfql3gVl0VaSvnD3kzwXKFJOOsXkCS
6nUCIQCcT6efFWU7CAtLXYnkDTILWX1ZRgaxegIjHmx4chBT4A==
-----END CERTIFICATE-----`;
    const short = `-----BEGIN CERTIFICATE-----
MIIBYjCCAQegAwIBAgICCgswCgYIKoZIzj0EAwIwDzENMAsGA1UEAwwEdGVzdDAe
Fw0yNjExMjMxOTMxMDBaFw0zNjExMjAxOTMxMDBaMA8xDTALBgNVBAMMBHRlc3Qw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATy2jLngps7W4yC0avZ0x4i8s1V6Gyy
o3Yt+gOMXrM+OvP9/hypvdPZiDwb8dNcphcKeHnpXRfGzPnPQw1HB/DJo1MwUTAd
BgNVHQ4EFgQUtPzXTnKNdL2NWqWbWufHql/yEQkwHwYDVR0jBBgwFoAUtPzXTnKN
dL2NWqWbWufHql/yEQkwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG
AiEAqqqDGjSlENEse6NAA6NwynDoBBA1Y1XYnnwZ2YEENYgCIQCDukk6DGSb6X1W
aw23iFgx3I5/c3LrkYaCgbMnmWl20A==
-----END CERTIFICATE-----`;
    expect(new X509Certificate(highBit).serialNumber).toBe(serialFromHex('8f0102030405060708090a0b0c0d0e0f')!.hex);
    expect(new X509Certificate(short).serialNumber).toBe(serialFromHex('0a0b')!.hex);
    expect(new X509Certificate(short).serialNumber).toBe(normalizeSerial('a0b'));
  });
});
