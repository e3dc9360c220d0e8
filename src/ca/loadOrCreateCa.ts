// First start: generate the root and the client-issuing intermediate (ECDSA P-256).
// Later starts: load them, refusing insecure key files, mismatched keys, a broken
// chain or expired material. Key files are never overwritten.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { RadgateError, isRadgateError } from '../errors/index.js';
import { authorityFrom, certificateDer, type Authority } from './authority.js';
import { buildIntermediateCertificate, buildRootCertificate } from './buildCaCertificate.js';
import type { CaPaths } from './caPaths.js';
import { assertKeyFilePrivate, readPrivateKey, writeFileAtomic, writePrivateKey } from './keyFiles.js';
import { pemEncode } from './pem.js';
import { randomSerial } from './serial.js';

export const ROOT_LIFETIME_SECONDS = 10 * 365 * 86400;
export const INTERMEDIATE_LIFETIME_SECONDS = 5 * 365 * 86400;
/** Backdating tolerates clients whose clocks run a little slow. */
export const BACKDATE_SECONDS = 60;

export interface CaLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface CaMaterial {
  root: Authority;
  intermediate: Authority;
  created: { root: boolean; intermediate: boolean };
}

export interface LoadOrCreateCaOptions {
  paths: CaPaths;
  trustDomain: string;
  passphrase: string | undefined;
  now: Date;
  logger?: CaLogger | undefined;
}

export function loadOrCreateCa(o: LoadOrCreateCaOptions): CaMaterial {
  const { paths } = o;
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // Refuse before reading anything if any key file is exposed.
  for (const key of [paths.rootKey, paths.intermediateKey, paths.serverKey]) if (existsSync(key)) assertKeyFilePrivate(key);

  let root = loadAuthority(o, 'root', paths.rootCert, paths.rootKey);
  const created = { root: false, intermediate: false };
  if (!root) {
    if (existsSync(paths.intermediateCert) || existsSync(paths.intermediateKey)) {
      throw new RadgateError('ca-unavailable', `found an intermediate CA in ${paths.dir} but no root; restore root.crt/root.key or remove the directory`);
    }
    root = createAuthority(o, paths.rootCert, paths.rootKey, (key, spki) =>
      buildRootCertificate({ key, spki, trustDomain: o.trustDomain, serial: randomSerial(), ...validity(o.now, ROOT_LIFETIME_SECONDS) }),
    );
    created.root = true;
  }
  let intermediate = loadAuthority(o, 'intermediate', paths.intermediateCert, paths.intermediateKey);
  if (!intermediate) {
    const issuer = root;
    intermediate = createAuthority(o, paths.intermediateCert, paths.intermediateKey, (_key, spki) =>
      buildIntermediateCertificate({ issuer, spki, trustDomain: o.trustDomain, serial: randomSerial(), ...validity(o.now, INTERMEDIATE_LIFETIME_SECONDS) }),
    );
    created.intermediate = true;
  }
  if (!intermediate.x509.checkIssued(root.x509) || !intermediate.x509.verify(root.x509.publicKey)) {
    throw new RadgateError('ca-unavailable', `${paths.intermediateCert} is not signed by ${paths.rootCert}`);
  }
  for (const [name, a] of [['root', root], ['intermediate', intermediate]] as const) {
    if (a.notAfter.getTime() <= o.now.getTime()) {
      throw new RadgateError('ca-unavailable', `the ${name} CA certificate expired on ${a.notAfter.toISOString()}; rotate it`);
    }
  }
  if (created.root || created.intermediate) o.logger?.info({ dir: paths.dir, ...created }, 'created CA material');
  return { root, intermediate, created };
}

function loadAuthority(o: LoadOrCreateCaOptions, name: string, certFile: string, keyFile: string): Authority | undefined {
  const hasCert = existsSync(certFile);
  const hasKey = existsSync(keyFile);
  if (!hasCert && !hasKey) return undefined;
  if (!hasCert || !hasKey) {
    throw new RadgateError('ca-unavailable', `found ${hasCert ? certFile : keyFile} without ${hasCert ? keyFile : certFile}; restore the pair or remove both`);
  }
  const { key, encrypted } = readPrivateKey(keyFile, o.passphrase);
  if (!encrypted && o.passphrase !== undefined) o.logger?.warn({ file: keyFile }, 'ca.passphrase is set but this CA key is stored unencrypted');
  try {
    return authorityFrom(certificateDer(readFileSync(certFile, 'utf8')), key);
  } catch (err) {
    if (isRadgateError(err)) throw err;
    throw new RadgateError('ca-unavailable', `the ${name} CA in ${certFile} cannot be used: ${(err as Error).message}`, { cause: err });
  }
}

function createAuthority(o: LoadOrCreateCaOptions, certFile: string, keyFile: string, build: (key: KeyObject, spki: Buffer) => Buffer): Authority {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const der = build(privateKey, publicKey.export({ type: 'spki', format: 'der' }));
  writePrivateKey(keyFile, privateKey, o.passphrase);
  writeFileAtomic(certFile, pemEncode('CERTIFICATE', der), 0o644);
  return authorityFrom(der, privateKey);
}

export function validity(now: Date, lifetimeSeconds: number): { notBefore: Date; notAfter: Date } {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  return { notBefore: new Date(t - BACKDATE_SECONDS * 1000), notAfter: new Date(t + lifetimeSeconds * 1000) };
}
