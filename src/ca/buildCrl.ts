// RFC 5280 5.1 v2 CRL signed by the issuing CA: crlNumber and authorityKeyIdentifier
// extensions, a reasonCode entry extension for every reason but "unspecified".
import type { Authority } from './authority.js';
import { bitString, enumerated, explicit, sequence, time, unsignedInteger } from './derWriter.js';
import { authorityKeyIdentifier, extension } from './extensions.js';
import { OID } from './oids.js';
import { isRevocationReason, REVOCATION_REASONS } from './revocationReasons.js';
import { serialFromHex } from './serial.js';

export interface RevokedEntry {
  /** Canonical hex serial. */
  serial: string;
  revokedAt: Date;
  /** A RevocationReason; anything else is written without a reasonCode. */
  reason: string;
}

export interface CrlInput {
  issuer: Pick<Authority, 'subjectName' | 'keyId' | 'signer'>;
  entries: readonly RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing (5.2.3), at most 20 octets. */
  crlNumber: bigint;
}

const VERSION_2 = Buffer.from([0x02, 0x01, 0x01]);

export function buildCrl(input: CrlInput): Buffer {
  if (input.crlNumber < 0n || input.crlNumber >= 1n << 159n) throw new RangeError('crlNumber out of range');
  const entries = [...input.entries]
    .sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime() || (a.serial < b.serial ? -1 : 1))
    .map(revokedCertificate);
  const tbs = sequence(
    VERSION_2,
    input.issuer.signer.algorithm,
    input.issuer.subjectName,
    time(input.thisUpdate),
    time(input.nextUpdate),
    // 5.1.2.6: the list is absent, not empty, when nothing is revoked.
    ...(entries.length > 0 ? [sequence(...entries)] : []),
    explicit(
      0,
      sequence(authorityKeyIdentifier(input.issuer.keyId), extension(OID.crlNumber, false, unsignedInteger(bigintBytes(input.crlNumber)))),
    ),
  );
  return sequence(tbs, input.issuer.signer.algorithm, bitString(input.issuer.signer.sign(tbs)));
}

function revokedCertificate(e: RevokedEntry): Buffer {
  const serial = serialFromHex(e.serial);
  if (!serial) throw new RangeError(`bad serial ${e.serial}`);
  const code = isRevocationReason(e.reason) ? REVOCATION_REASONS[e.reason] : 0;
  // 5.3.1: the unspecified reason SHOULD be expressed by omitting reasonCode.
  const exts = code === 0 ? [] : [sequence(extension(OID.crlReason, false, enumerated(code)))];
  return sequence(serial.der, time(e.revokedAt), ...exts);
}

function bigintBytes(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}
