// Wires the CA: key material on disk, issue pipeline, revocation set, CRL and the
// control plane's TLS certificate. The database is the source of truth; the in-memory
// revocation set is a cache rebuilt from it at start and kept current by revoke() and
// by certificate.revoked events from other replicas.
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { RadgateError, wrapError } from '../errors/index.js';
import type { EventBus } from '../events/index.js';
import type { CertificatesRepo, Store } from '../store/index.js';
import { colonHex, subjectText, type Authority } from './authority.js';
import { caPaths, type CaPaths } from './caPaths.js';
import { crlPublisher } from './crlPublisher.js';
import { hostName } from './extensions.js';
import { issueFromCsr, type IssuedCertificate, type IssueRequest } from './issueFromCsr.js';
import { loadOrCreateCa, type CaLogger } from './loadOrCreateCa.js';
import { loadOrIssueServerCertificate, type ServerCertificate } from './loadOrIssueServerCertificate.js';
import { isRevocationReason, type RevocationReason } from './revocationReasons.js';
import { normalizeSerial } from './serial.js';

export interface OpenCaOptions {
  config: Config;
  store: Store;
  bus: EventBus;
  clock?: () => Date;
  logger?: CaLogger;
  /** When given: `ca.issue` (success and refusal) and `ca.revoke` events are appended. */
  audit?: Pick<AuditLog, 'append'>;
}

export interface RevokeFilter {
  userId?: string;
  deviceId?: string;
  sessionId?: string;
  grantId?: string;
}

export interface ServerCredentials {
  /** Server certificate then intermediate, PEM (node:https `cert`). */
  cert: string;
  /** Unencrypted PKCS#8 PEM (node:https `key`); held in memory only. */
  key: string;
  /** The root, for clients that must trust the control plane. */
  ca: string;
  serial: string;
  notAfter: Date;
}

export interface CertificateSummary {
  serial: string;
  subject: string;
  /** SHA-256, `AB:CD:…`. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CaInfo {
  root: CertificateSummary;
  intermediate: CertificateSummary;
  server: CertificateSummary;
  paths: CaPaths;
  /** What this start created (first start, or material that was missing). */
  created: { root: boolean; intermediate: boolean; server: boolean };
}

export interface Ca {
  issueFromCsr(req: IssueRequest): Promise<IssuedCertificate>;
  /**
   * True when newly revoked, false when it already was; certificate-not-found when unknown.
   * `actor` (an entity uid, default `system`) goes to the audit record.
   */
  revoke(serial: string, reason?: RevocationReason, actor?: string): Promise<boolean>;
  /** Revokes every live certificate matching all given fields; returns their serials. */
  revokeWhere(filter: RevokeFilter, reason?: RevocationReason, actor?: string): Promise<string[]>;
  /** O(1); for gateways on every handshake and request. */
  isRevoked(serial: string): boolean;
  /** The current DER CRL (application/pkix-crl), signed by the intermediate. */
  crlDer(): Promise<Buffer>;
  serverCredentials(): Promise<ServerCredentials>;
  /** The trust anchor (root certificate), PEM. */
  rootPem(): string;
  /** Issuing chain without a leaf: intermediate then root, PEM. */
  chainPem(): string;
  /** The `ca` option for gateways verifying client certificates: intermediate then root. */
  trustPem(): string;
  info(): CaInfo;
  /** Stops listening to the bus and the CRL refresh timer. */
  close(): void;
}

/** How often the CRL is checked for reissue when nobody asks for it (it lives 24 h). */
const CRL_REFRESH_MS = 3600_000;

export async function openCa(o: OpenCaOptions): Promise<Ca> {
  try {
    return await open(o);
  } catch (err) {
    throw wrapError('ca-unavailable', 'the certificate authority cannot start', err);
  }
}

async function open(o: OpenCaOptions): Promise<Ca> {
  const clock = o.clock ?? (() => new Date());
  const { config, store, bus, logger, audit } = o;
  const certs = store.certificates;
  const serverNames = [...config.ca.serverNames];
  for (const name of serverNames) {
    try {
      hostName(name);
    } catch {
      throw new RadgateError('config-invalid', `config: ca.serverNames: "${name}" is neither a DNS name nor an IP address`);
    }
  }
  const paths = caPaths(config.paths.caDir);
  const material = loadOrCreateCa({ paths, trustDomain: config.ca.trustDomain, passphrase: config.ca.passphrase, now: clock(), logger });
  const { root, intermediate } = material;
  await recordAuthority(certs, root, 'root', clock());
  await recordAuthority(certs, intermediate, 'intermediate', clock());

  const revoked = new Set<string>();
  for (const r of await certs.listRevoked(clock().getTime())) revoked.add(r.serial);
  const crl = crlPublisher({ issuer: intermediate, certificates: certs, file: paths.crl, clock });
  await crl.rebuild();
  const rebuildCrl = () =>
    crl.rebuild().then(
      () => undefined,
      (err: unknown) => logger?.warn({ err: (err as Error).message }, 'CRL rebuild failed; the next CRL read retries'),
    );

  const isRevoked = (serial: string): boolean => {
    if (revoked.has(serial)) return true;
    const canonical = normalizeSerial(serial);
    return canonical !== undefined && canonical !== serial && revoked.has(canonical);
  };

  const ensureServer = async (): Promise<ServerCertificate> => {
    const now = clock();
    const s = loadOrIssueServerCertificate({ paths, issuer: intermediate, names: serverNames, trustDomain: config.ca.trustDomain, passphrase: config.ca.passphrase, now, isRevoked, logger });
    if (s.issued) {
      await certs.insert({ serial: s.serial, kind: 'server', subject: s.subject, fingerprint: s.fingerprint, notBefore: s.notBefore.getTime(), notAfter: s.notAfter.getTime(), issuedAt: now.getTime(), pem: s.pem });
    }
    return s;
  };
  let server = await ensureServer();
  const createdServer = server.issued;

  // Another replica revoked: the database already says so; catch up the cache and CRL.
  const unsubscribe = bus.on('certificate.revoked', (e) => {
    const serial = normalizeSerial(e.serial);
    if (serial === undefined || revoked.has(serial)) return;
    revoked.add(serial);
    void rebuildCrl();
  });

  // Keeps crl.der on disk fresh for consumers that read the file rather than the route.
  const refresh = setInterval(() => void crl.current().catch((err: unknown) => logger?.warn({ err: (err as Error).message }, 'CRL refresh failed')), CRL_REFRESH_MS);
  refresh.unref();

  const reasonOf = (reason: unknown): RevocationReason => {
    if (!isRevocationReason(reason)) throw new RadgateError('bad-request', `unknown revocation reason ${JSON.stringify(reason)}`);
    return reason;
  };

  return {
    issueFromCsr: (req) =>
      issueFromCsr({ issuer: intermediate, trustDomain: config.ca.trustDomain, maxTtlSeconds: config.ca.clientCertMaxTtl, certificates: certs, clock, audit }, req),

    async revoke(serial, reason = 'unspecified', actor = 'system') {
      const canonical = normalizeSerial(serial);
      if (canonical === undefined) throw new RadgateError('bad-request', 'a serial is hex digits');
      const why = reasonOf(reason);
      const row = await certs.get(canonical);
      if (!row) throw new RadgateError('certificate-not-found', `no certificate with serial ${canonical}`);
      if (row.kind === 'root' || row.kind === 'intermediate') {
        throw new RadgateError('bad-request', 'a CA certificate cannot be revoked on its own CRL; rotate the CA instead');
      }
      const now = clock();
      const changed = await certs.revoke(canonical, why, now.getTime());
      revoked.add(canonical);
      if (changed) {
        bus.emit({ type: 'certificate.revoked', serial: canonical, reason: why });
        await Promise.all([rebuildCrl(), audit?.append({ type: 'ca.revoke', actor, outcome: 'success', time: now, detail: { serials: [canonical], reason: why } })]);
      }
      return changed;
    },

    async revokeWhere(filter, reason = 'unspecified', actor = 'system') {
      const why = reasonOf(reason);
      const f: RevokeFilter = {};
      for (const k of ['userId', 'deviceId', 'sessionId', 'grantId'] as const) if (filter[k]) f[k] = filter[k];
      if (Object.keys(f).length === 0) throw new RadgateError('bad-request', 'revokeWhere needs a userId, deviceId, sessionId or grantId');
      const now = clock();
      const serials = await certs.revokeWhere(f, why, now.getTime());
      for (const s of serials) revoked.add(s);
      for (const s of serials) bus.emit({ type: 'certificate.revoked', serial: s, reason: why });
      if (serials.length > 0) {
        await Promise.all([rebuildCrl(), audit?.append({ type: 'ca.revoke', actor, outcome: 'success', time: now, detail: { serials, reason: why, filter: f } })]);
      }
      return serials;
    },

    isRevoked,
    crlDer: () => crl.current(),

    async serverCredentials() {
      server = await ensureServer();
      return {
        cert: server.pem + intermediate.pem,
        key: server.key.export({ type: 'pkcs8', format: 'pem' }) as string,
        ca: root.pem,
        serial: server.serial,
        notAfter: server.notAfter,
      };
    },

    rootPem: () => root.pem,
    chainPem: () => intermediate.pem + root.pem,
    trustPem: () => intermediate.pem + root.pem,

    info: () => ({
      root: summary(root),
      intermediate: summary(intermediate),
      server: { serial: server.serial, subject: server.subject, fingerprint: colonHex(server.fingerprint), notBefore: server.notBefore, notAfter: server.notAfter },
      paths,
      created: { ...material.created, server: createdServer },
    }),

    close: () => {
      unsubscribe();
      clearInterval(refresh);
    },
  };
}

async function recordAuthority(certs: CertificatesRepo, a: Authority, kind: 'root' | 'intermediate', now: Date): Promise<void> {
  if (await certs.get(a.serial)) return;
  await certs.insert({
    serial: a.serial,
    kind,
    subject: subjectText(a.x509),
    fingerprint: a.fingerprint,
    notBefore: a.notBefore.getTime(),
    notAfter: a.notAfter.getTime(),
    issuedAt: now.getTime(),
    pem: a.pem,
  });
}

function summary(a: Authority): CertificateSummary {
  return {
    serial: a.serial,
    subject: subjectText(a.x509),
    fingerprint: colonHex(a.fingerprint),
    notBefore: a.notBefore,
    notAfter: a.notAfter,
  };
}
