// Keeps the signed CRL current: rebuilt from the database after every revocation,
// reissued when half its validity has passed, written atomically to crl.der.
import { existsSync, readFileSync } from 'node:fs';
import type { CertificatesRepo } from '../store/index.js';
import type { Authority } from './authority.js';
import { buildCrl } from './buildCrl.js';
import { children, content, expectTag, readWhole, whole } from './derReader.js';
import { writeFileAtomic } from './keyFiles.js';
import { OID } from './oids.js';

/** nextUpdate - thisUpdate. Clients refetch within this window. */
export const CRL_VALIDITY_SECONDS = 24 * 3600;

export interface CrlPublisher {
  /** The current CRL, reissued first if more than half of its validity has passed. */
  current(): Promise<Buffer>;
  /** Rebuilds from the database now; concurrent calls run one after another. */
  rebuild(): Promise<Buffer>;
}

export function crlPublisher(o: { issuer: Authority; certificates: CertificatesRepo; file: string; clock: () => Date }): CrlPublisher {
  let lastNumber = existsSync(o.file) ? (readCrlNumber(readFileSync(o.file)) ?? 0n) : 0n;
  let der: Buffer | undefined;
  let issuedAt = 0;
  let chain: Promise<unknown> = Promise.resolve();

  const build = async (): Promise<Buffer> => {
    const now = o.clock();
    const t = Math.floor(now.getTime() / 1000) * 1000;
    // Expired certificates may leave the CRL (RFC 5280 3.3); their handshakes fail anyway.
    const rows = await o.certificates.listRevoked(t);
    // Time-based numbers stay increasing across restarts and replicas; +1 covers same-ms rebuilds.
    const ms = BigInt(now.getTime());
    lastNumber = ms > lastNumber ? ms : lastNumber + 1n;
    const next = buildCrl({
      issuer: o.issuer,
      entries: rows.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt ?? t), reason: r.revocationReason ?? 'unspecified' })),
      thisUpdate: new Date(t),
      nextUpdate: new Date(t + CRL_VALIDITY_SECONDS * 1000),
      crlNumber: lastNumber,
    });
    writeFileAtomic(o.file, next, 0o644);
    der = next;
    issuedAt = t;
    return next;
  };

  const rebuild = (): Promise<Buffer> => {
    const run = chain.then(build, build);
    // A failed rebuild forgets the old CRL so the next read retries instead of serving it.
    chain = run.catch(() => void (der = undefined));
    return run;
  };

  return {
    rebuild,
    async current() {
      if (!der || o.clock().getTime() - issuedAt > (CRL_VALIDITY_SECONDS * 1000) / 2) return rebuild();
      return der;
    },
  };
}

/** The crlNumber extension of a DER CRL, if it has one. */
export function readCrlNumber(der: Buffer): bigint | undefined {
  try {
    const [tbs] = children(der, readWhole(der, 0x30));
    const exts = children(der, expectTag(tbs, 0x30, 'tbsCertList')).find((t) => t.tag === 0xa0);
    if (!exts) return undefined;
    const [list] = children(der, exts);
    for (const ext of children(der, expectTag(list, 0x30, 'crlExtensions'))) {
      const f = children(der, ext);
      if (!whole(der, expectTag(f[0], 0x06, 'extnID')).equals(OID.crlNumber)) continue;
      const value = content(der, expectTag(f[f.length - 1], 0x04, 'extnValue'));
      return BigInt('0x' + (content(value, readWhole(value, 0x02)).toString('hex') || '0'));
    }
  } catch {
    return undefined;
  }
  return undefined;
}
