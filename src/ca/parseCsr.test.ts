import { describe, expect, it } from 'vitest';
import { RadgateError } from '../errors/index.js';
import { BAD_CSRS } from '../../test/ca/badCsrs.js';
import { makeCsr, opensslCsr, testKeyPair } from '../../test/ca/makeCsr.js';
import { parseCsr } from './parseCsr.js';

describe('parseCsr', () => {
  it('accepts a P-256 request and returns its key', async () => {
    const { pem, keys } = makeCsr('p256');
    const csr = await parseCsr(pem);
    expect(csr.key).toEqual({ type: 'ec', curve: 'P-256' });
    expect(csr.spki.equals(keys.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('accepts a P-384 request', async () => {
    expect((await parseCsr(makeCsr('p384').pem)).key).toEqual({ type: 'ec', curve: 'P-384' });
  });

  it('accepts an RSA-2048 request', async () => {
    expect((await parseCsr(makeCsr('rsa2048').pem)).key).toEqual({ type: 'rsa', bits: 2048 });
  });

  it('accepts requests made by openssl req (P-256 and RSA-2048)', async () => {
    for (const kind of ['p256', 'rsa2048'] as const) {
      const keys = testKeyPair(kind);
      const pem = opensslCsr(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      const csr = await parseCsr(pem);
      expect(csr.spki.equals(keys.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    }
  });

  it('accepts CRLF line endings and the legacy NEW CERTIFICATE REQUEST label', async () => {
    const pem = makeCsr('p256').pem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST').replace(/\n/g, '\r\n');
    expect((await parseCsr(pem)).key.type).toBe('ec');
  });

  describe('bad input', () => {
    for (const bad of BAD_CSRS) {
      it(bad.rule, async () => {
        const pem = bad.make();
        const err = await parseCsr(pem).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(RadgateError);
        expect((err as RadgateError).code).toBe(bad.code);
        expect((err as RadgateError).message).toMatch(bad.message);
        expect((err as RadgateError).expose).toBe(true);
      });
    }
  });
});
