// `npm run bench -- cert-issue [--count N] [--concurrency C] [--rounds R]`: client
// certificates per second through the real issueFromCsr (PEM/DER parse, CSR signature
// check, build, sign, group-committed insert into SQLite with synchronous=FULL), from
// pre-made P-256 CSRs. Baseline: bare crypto.sign of a same-size TBS with the
// intermediate CA key. Each figure is the median of R rounds (this machine is shared).
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { openCa, parseCsr, type Ca } from '../../src/ca/index.js';
import { authorityFrom, certificateDer } from '../../src/ca/authority.js';
import { buildClientCertificate } from '../../src/ca/buildClientCertificate.js';
import { children, readWhole, whole } from '../../src/ca/derReader.js';
import { randomSerial } from '../../src/ca/serial.js';
import { loadConfig } from '../../src/config/index.js';
import { createInProcessBus } from '../../src/events/index.js';
import { openStore } from '../../src/store/index.js';
import { makeCsr } from '../ca/makeCsr.js';
import { flushJson, line, record, round } from './report.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects a positive integer`);
  return v;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs fn(0..n-1) with `concurrency` calls in flight; returns calls per second. */
async function asyncRate(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (n / (performance.now() - started)) * 1000;
}

function rate(n: number, fn: (i: number) => void): number {
  const started = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return (n / (performance.now() - started)) * 1000;
}

const issueAll = (ca: Ca, csrs: readonly string[], concurrency: number): Promise<number> =>
  asyncRate(csrs.length, concurrency, (i) =>
    ca.issueFromCsr({ csrPem: csrs[i]!, userId: `user-${i}`, deviceId: `device-${i % 97}`, sessionId: `session-${i}`, ttlSeconds: 3600 }),
  );

// Present at runtime, missing from @types/node-forge.
const getTbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

/** Building the same TBS with forge.pki (RSA placeholder key, before any EC node swap). */
function forgeTbsRate(n: number): number {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
  return rate(n, (i) => {
    const c = forge.pki.createCertificate();
    c.publicKey = keys.publicKey;
    c.serialNumber = '00' + i.toString(16).padStart(32, '0');
    c.validity.notBefore = new Date();
    c.validity.notAfter = new Date(Date.now() + 3600e3);
    c.setSubject([{ name: 'organizationName', value: 'radgate' }, { name: 'commonName', value: `user-${i}` }]);
    c.setIssuer([{ name: 'organizationName', value: 'radgate' }, { name: 'commonName', value: 'radgate client CA' }]);
    c.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 6, value: `urn:radgate:user:user-${i}` }, { type: 6, value: 'urn:radgate:device:d' }, { type: 6, value: 'urn:radgate:session:s' }] },
      { name: 'subjectKeyIdentifier' },
    ]);
    c.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
    forge.asn1.toDer(getTbs(c)).getBytes();
  });
}

export async function main(args: string[]): Promise<void> {
  const count = arg(args, 'count', 2000);
  const concurrency = arg(args, 'concurrency', 64);
  const rounds = arg(args, 'rounds', 3);
  const home = mkdtempSync(path.join(os.tmpdir(), 'radgate-bench-ca-'));
  try {
    const config = loadConfig({ env: {}, cwd: home, overrides: { home } });
    const store = await openStore({ location: config.paths.store });
    const bus = createInProcessBus(() => undefined);
    const ca = await openCa({ config, store, bus });
    const { intermediateCert, intermediateKey } = ca.info().paths;
    const caKey = createPrivateKey(readFileSync(intermediateKey));

    line(`making ${count} P-256 CSRs ...`);
    const csrs = Array.from({ length: count }, () => makeCsr('p256').pem);
    await issueAll(ca, csrs.slice(0, Math.min(300, count)), concurrency); // warm-up

    // Baseline TBS: the to-be-signed part of a certificate this CA really issued.
    const sample = await ca.issueFromCsr({ csrPem: csrs[0]!, userId: 'user-0', deviceId: 'device-0', sessionId: 'session-0', ttlSeconds: 3600 });
    const der = new X509Certificate(sample.certificatePem).raw;
    const tbs = Buffer.from(whole(der, children(der, readWhole(der, 0x30))[0]!));
    rate(500, () => sign('sha256', tbs, caKey));

    const issued: number[] = [];
    const baseline: number[] = [];
    for (let r = 0; r < rounds; r++) {
      issued.push(await issueAll(ca, csrs, concurrency));
      baseline.push(rate(count * 4, () => sign('sha256', tbs, caKey)));
      line(`round ${r + 1}: ${round(issued[r]!, 0)} certs/s, baseline ${round(baseline[r]!, 0)} signs/s`);
    }

    // Where the time goes, stage by stage (medians are not needed: these are context).
    const parseRate = await asyncRate(count, concurrency, (i) => parseCsr(csrs[i]!));
    const spkis = (await Promise.all(csrs.map((c) => parseCsr(c)))).map((c) => c.spki);
    const issuer = authorityFrom(certificateDer(readFileSync(intermediateCert, 'utf8')), caKey);
    const fixedSignature = issuer.signer.sign(tbs);
    const unsigned = { ...issuer, signer: { algorithm: issuer.signer.algorithm, sign: () => fixedSignature } };
    const now = new Date();
    const later = new Date(now.getTime() + 3600e3);
    const buildRate = rate(count, (i) =>
      buildClientCertificate({ issuer: unsigned, spki: spkis[i]!, identity: { userId: `user-${i}`, deviceId: 'd', sessionId: 's' }, trustDomain: 'radgate.local', serial: randomSerial(), notBefore: now, notAfter: later }),
    );
    const sequential = await issueAll(ca, csrs.slice(0, Math.min(500, count)), 1);
    const forgeRate = forgeTbsRate(Math.min(1000, count));
    ca.close();
    await store.close();

    line(`tbs ${tbs.length} bytes; ${count} certificates per round at concurrency ${concurrency}; ${rounds} rounds`);
    record({ bench: 'cert-issue', metric: 'csr_parse_verify', unit: 'csr/s', value: round(parseRate, 0) });
    record({ bench: 'cert-issue', metric: 'der_certificate_build', unit: 'certs/s', value: round(buildRate, 0), note: 'radgate DER encoder, signature excluded' });
    record({ bench: 'cert-issue', metric: 'forge_tbs_build', unit: 'tbs/s', value: round(forgeRate, 0), note: 'forge.pki TBS of the same profile, for comparison' });
    record({ bench: 'cert-issue', metric: 'issue_sequential', unit: 'certs/s', value: round(sequential, 0), concurrency: 1 });
    record({
      bench: 'cert-issue',
      metric: 'issue_from_csr',
      unit: 'certs/s',
      value: round(median(issued), 0),
      baseline: 'crypto.sign P-256 of same-size TBS',
      baseline_value: round(median(baseline), 0),
      min: round(Math.min(...issued), 0),
      max: round(Math.max(...issued), 0),
      count,
      concurrency,
      rounds,
      tbs_bytes: tbs.length,
    });
    flushJson();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
