// JWS compact serialization (RFC 7515 7.1) with ES256 (RFC 7518 3.4: the signature is
// R || S, 64 bytes), built with node:crypto only. The signer is the device key store's.

export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export type Es256Signer = (data: Buffer) => Promise<Buffer>;

const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export async function signCompactJws(header: Record<string, unknown>, payload: Record<string, unknown>, signer: Es256Signer): Promise<string> {
  if (header.alg !== 'ES256') throw new TypeError('signCompactJws: alg must be ES256');
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const sig = await signer(Buffer.from(input, 'ascii'));
  if (sig.length !== 64) throw new TypeError('signCompactJws: ES256 signatures are 64 bytes (IEEE P1363)');
  return `${input}.${b64u(sig)}`;
}
