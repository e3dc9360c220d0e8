// Which root CA the agent trusts for a broker. radgate brokers use their own CA, so the
// agent pins that root per broker: from --ca <file>, or fetched at first login and
// accepted only by fingerprint (--ca-fingerprint, or the user confirming it). Later
// commands use the pin; verification is never switched off.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './AgentError.js';
import { ensureAgentHome } from './agentHome.js';
import { fetchRootForPinning } from './fetchRootForPinning.js';
import { fingerprintMatches, normalizeFingerprint, parsePemCertificates } from './fingerprint.js';
import { readPrivateFile, writePrivateFile } from './privateFile.js';

export interface TrustOptions {
  /** PEM file with the broker's root CA (a bundle with intermediates is fine). */
  ca?: string;
  /** Expected SHA-256 fingerprint of the root, hex with or without colons. */
  caFingerprint?: string;
  /** Asked when a root is seen for the first time and no fingerprint was given. */
  confirmFingerprint?: (info: { server: string; fingerprint: string; subject: string }) => Promise<boolean>;
}

export interface ServerTrust {
  /** PEM for the https `ca` option. */
  ca: string;
  /** SHA-256 of the root, colon hex. */
  fingerprint: string;
  source: 'file' | 'pinned' | 'fetched';
  /** Saves the root as this broker's pin (after a login succeeded with it). */
  pin(): void;
}

export function pinFilePath(home: string, server: URL): string {
  const host = server.hostname.replace(/[^a-z0-9.-]/gi, '_');
  return path.join(home, `ca-${host}-${server.port || '443'}.pem`);
}

/** The pinned root for an already-known broker (logout, whoami). */
export function pinnedTrust(home: string, server: URL): ServerTrust {
  const file = pinFilePath(home, server);
  // Readable by others is harmless for a certificate; writable by others is not.
  const pem = readPrivateFile(file, 0o022);
  if (pem === undefined) throw new AgentError('untrusted-server', `no pinned root CA for ${server.origin} (${file}); run radgate login again`);
  const root = parsePemCertificates(pem, file).at(-1);
  return { ca: pem, fingerprint: root?.fingerprint256 ?? '', source: 'pinned', pin: () => undefined };
}

export async function resolveTrust(home: string, server: URL, o: TrustOptions): Promise<ServerTrust> {
  if (o.caFingerprint !== undefined && !normalizeFingerprint(o.caFingerprint)) {
    throw new AgentError('fingerprint-mismatch', '--ca-fingerprint must be a SHA-256 fingerprint: 64 hex digits, colons optional');
  }
  const file = pinFilePath(home, server);
  const pin = (pem: string) => () => {
    ensureAgentHome(home);
    writePrivateFile(file, pem);
  };

  if (o.ca) {
    let pem: string;
    try {
      pem = readFileSync(o.ca, 'utf8');
    } catch (err) {
      throw new AgentError('bad-file', `cannot read --ca ${o.ca}: ${(err as Error).message}`, { cause: err });
    }
    const certs = parsePemCertificates(pem, o.ca);
    const match = o.caFingerprint ? certs.find((c) => fingerprintMatches(c, o.caFingerprint ?? '')) : certs.at(-1);
    if (!match) throw new AgentError('fingerprint-mismatch', `no certificate in ${o.ca} has the fingerprint given with --ca-fingerprint`);
    return { ca: pem, fingerprint: match.fingerprint256, source: 'file', pin: pin(pem) };
  }

  const pinnedPem = readPrivateFile(file, 0o022);
  if (pinnedPem !== undefined) {
    const certs = parsePemCertificates(pinnedPem, file);
    if (o.caFingerprint && !certs.some((c) => fingerprintMatches(c, o.caFingerprint ?? ''))) {
      throw new AgentError('fingerprint-mismatch', `the root pinned for ${server.origin} (${file}) does not have the fingerprint given; if the broker's CA was replaced, delete that file and log in again`);
    }
    return { ca: pinnedPem, fingerprint: certs.at(-1)?.fingerprint256 ?? '', source: 'pinned', pin: () => undefined };
  }

  const { pem, cert } = await fetchRootForPinning(server);
  if (o.caFingerprint) {
    if (!fingerprintMatches(cert, o.caFingerprint)) {
      throw new AgentError('fingerprint-mismatch', `${server.origin} offered a root CA with fingerprint ${cert.fingerprint256}, not the one given with --ca-fingerprint; refusing to connect`);
    }
  } else {
    const ok = o.confirmFingerprint ? await o.confirmFingerprint({ server: server.origin, fingerprint: cert.fingerprint256, subject: cert.subject }) : false;
    if (!ok) {
      throw new AgentError('untrusted-server', `the root CA of ${server.origin} (SHA-256 ${cert.fingerprint256}) was not confirmed; compare it with \`radgate ca show\` on the broker and pass --ca-fingerprint or --ca`);
    }
  }
  return { ca: pem, fingerprint: cert.fingerprint256, source: 'fetched', pin: pin(pem) };
}
