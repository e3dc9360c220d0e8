// The CA's signing half: the AlgorithmIdentifier it writes and a native node:crypto
// signature over the to-be-signed bytes (forge only signs with RSA, and slowly).
import { sign, type KeyObject } from 'node:crypto';
import { sequence } from './derWriter.js';
import { OID } from './oids.js';

export interface Signer {
  /** AlgorithmIdentifier DER, used both inside the TBS and as signatureAlgorithm. */
  readonly algorithm: Buffer;
  sign(data: Buffer): Buffer;
}

/** ECDSA CA keys only; RFC 5758 3.2: ecdsa-with-SHA256/384 have absent parameters. */
export function caSigner(key: KeyObject): Signer {
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const hash = curve === 'prime256v1' ? 'sha256' : curve === 'secp384r1' ? 'sha384' : undefined;
  if (!hash) throw new RangeError('CA keys must be ECDSA P-256 or P-384');
  return {
    algorithm: sequence(hash === 'sha256' ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384),
    // Synchronous on purpose: handing a 30 µs ECDSA signature to the thread pool costs
    // ~20 µs of event-loop time in OpenSSL 3.0 set-up and splits group commits.
    sign: (data) => sign(hash, data, key),
  };
}
