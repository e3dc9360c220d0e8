// The agent's client certificates under <home>/certs (0700): <serial>.key.pem,
// <serial>.cert.pem and <serial>.chain.pem (0600 each), and current.json naming the one
// in use. The pointer is switched last, so a reader never pairs a new key with an old cert.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './AgentError.js';
import { ensureAgentHome } from './agentHome.js';
import { readPrivateFile, removeFile, writePrivateFile } from './privateFile.js';

export interface CertificateRecord {
  serial: string;
  server: string;
  deviceId: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  keyFile: string;
  certFile: string;
  chainFile: string;
}

export const certsDir = (home: string): string => path.join(home, 'certs');
const CURRENT = 'current.json';

export function writeCertificate(home: string, rec: Omit<CertificateRecord, 'keyFile' | 'certFile' | 'chainFile'>, pems: { key: string; cert: string; chain: string }): CertificateRecord {
  const dir = ensureAgentHome(certsDir(home));
  if (!/^[0-9A-Za-z]{1,64}$/.test(rec.serial)) throw new AgentError('protocol', 'the broker sent a certificate serial that is not a plain hex/alphanumeric string');
  const full: CertificateRecord = {
    ...rec,
    keyFile: path.join(dir, `${rec.serial}.key.pem`),
    certFile: path.join(dir, `${rec.serial}.cert.pem`),
    chainFile: path.join(dir, `${rec.serial}.chain.pem`),
  };
  const previous = readCurrentCertificate(home);
  writePrivateFile(full.keyFile, pems.key);
  writePrivateFile(full.certFile, pems.cert);
  writePrivateFile(full.chainFile, pems.chain);
  writePrivateFile(path.join(dir, CURRENT), `${JSON.stringify(full, null, 2)}\n`);
  // Keep the previous certificate (connections may still use it); drop older ones.
  const keep = new Set([rec.serial, previous?.serial].filter(Boolean));
  for (const f of readdirSync(dir)) {
    const m = /^([0-9A-Za-z]+)\.(key|cert|chain)\.pem$/.exec(f);
    if (m && !keep.has(m[1]!)) removeFile(path.join(dir, f));
  }
  return full;
}

export function readCurrentCertificate(home: string): CertificateRecord | undefined {
  const file = path.join(certsDir(home), CURRENT);
  const text = readPrivateFile(file, 0o077);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as CertificateRecord;
    if (typeof v.serial === 'string' && typeof v.notAfter === 'string' && typeof v.certFile === 'string') return v;
  } catch {
    // fall through
  }
  throw new AgentError('bad-file', `${file} does not describe a certificate`);
}
