// Fresh signing keys for each dev IdP start: nothing to leak, nothing to rotate.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export async function generateSigningKeys(): Promise<{ keys: JWK[] }> {
  const keys: JWK[] = [];
  for (const alg of ['ES256', 'RS256'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const jwk = await exportJWK(privateKey);
    keys.push({ ...jwk, kid: await calculateJwkThumbprint(await exportJWK(publicKey)), alg, use: 'sig' });
  }
  return { keys };
}
