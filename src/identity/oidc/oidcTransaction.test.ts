import { describe, expect, it } from 'vitest';
import { decodeTransaction, encodeTransaction } from './oidcTransaction.js';

describe('OIDC transaction payload', () => {
  const tx = { idp: 'hospital', codeVerifier: 'v', nonce: 'n', returnTo: '/', agentRequest: null };

  it('round-trips', () => {
    expect(decodeTransaction(encodeTransaction(tx))).toEqual(tx);
    expect(decodeTransaction(encodeTransaction({ ...tx, agentRequest: 'a1' }))).toEqual({ ...tx, agentRequest: 'a1' });
  });

  it.each([['not json'], ['null'], ['[]'], [JSON.stringify({ ...tx, nonce: '' })], [JSON.stringify({ ...tx, codeVerifier: 1 })], [JSON.stringify({ ...tx, agentRequest: 5 })]])(
    'refuses the stored payload %s',
    (payload) => {
      expect(decodeTransaction(payload)).toBeUndefined();
    },
  );
});
