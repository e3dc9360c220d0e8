// Certificate issue pipeline: check the request, prove possession of the key, build and
// sign the client certificate, record it durably, then hand it out. The caller has
// already authorised the issue (policy action certificate.issue) and computed the TTL.
import type { AuditLog } from '../audit/index.js';
import { RadgateError, isRadgateError, wrapError } from '../errors/index.js';
import type { CertificatesRepo } from '../store/index.js';
import { sha256Hex, type Authority } from './authority.js';
import { buildClientCertificate, type ClientIdentity } from './buildClientCertificate.js';
import { assertIdentifier } from './identityUris.js';
import { BACKDATE_SECONDS } from './loadOrCreateCa.js';
import { parseCsr } from './parseCsr.js';
import { pemEncode } from './pem.js';
import { randomSerial } from './serial.js';

export interface IssueRequest extends ClientIdentity {
  /** PKCS#10 request, PEM; at most MAX_CSR_PEM_LENGTH characters. */
  csrPem: string;
  /** Requested lifetime; clamped to ca.clientCertMaxTtl and to the issuer's own expiry. */
  ttlSeconds: number;
  /** Issue time; defaults to the CA's clock. */
  now?: Date | undefined;
}

export interface IssuedCertificate {
  /** Canonical upper-case hex serial. */
  serial: string;
  certificatePem: string;
  /** Leaf then intermediate, for the client to present. */
  chainPem: string;
  subject: string;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface IssueDeps {
  issuer: Authority;
  trustDomain: string;
  maxTtlSeconds: number;
  certificates: CertificatesRepo;
  clock: () => Date;
  /** When given, every issue and every refusal is appended (type `ca.issue`). */
  audit?: Pick<AuditLog, 'append'> | undefined;
}

/** The Cedar-style entity uid of the user a certificate is for. */
export const userActor = (userId: string): string => `Radgate::User::${JSON.stringify(userId)}`;

export async function issueFromCsr(deps: IssueDeps, req: IssueRequest): Promise<IssuedCertificate> {
  try {
    return await issue(deps, req);
  } catch (err) {
    if (deps.audit && isRadgateError(err) && err.expose) {
      const actor = typeof req.userId === 'string' && req.userId.length > 0 && req.userId.length <= 256 ? userActor(req.userId) : 'anonymous';
      // Best effort: the refusal itself is what the caller must see.
      await deps.audit.append({ type: 'ca.issue', actor, outcome: 'failure', detail: { code: err.code, reason: err.message } }).catch(() => undefined);
    }
    throw wrapError('internal', 'certificate issue failed', err);
  }
}

async function issue(deps: IssueDeps, req: IssueRequest): Promise<IssuedCertificate> {
  assertIdentifier('userId', req.userId);
  assertIdentifier('deviceId', req.deviceId);
  assertIdentifier('sessionId', req.sessionId);
  if (req.grantId !== undefined) assertIdentifier('grantId', req.grantId);
  if (typeof req.ttlSeconds !== 'number' || !Number.isFinite(req.ttlSeconds) || req.ttlSeconds < 1) {
    throw new RadgateError('bad-request', 'ttlSeconds must be a number of seconds, at least 1');
  }
  if (req.now !== undefined && !(req.now instanceof Date && Number.isFinite(req.now.getTime()))) {
    throw new RadgateError('bad-request', 'now must be a valid Date');
  }
  const csr = await parseCsr(req.csrPem);

  const now = req.now ?? deps.clock();
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const notBefore = t - BACKDATE_SECONDS * 1000;
  const ttl = Math.floor(Math.min(req.ttlSeconds, deps.maxTtlSeconds));
  // A certificate must not outlive its issuer (RFC 5280 6.1.3 would reject it anyway).
  const notAfter = Math.min(t + ttl * 1000, deps.issuer.notAfter.getTime());
  if (notAfter <= t) throw new RadgateError('ca-unavailable', 'the issuing CA certificate has expired');

  const serial = randomSerial();
  const identity: ClientIdentity = { userId: req.userId, deviceId: req.deviceId, sessionId: req.sessionId, grantId: req.grantId };
  const { der, subject } = buildClientCertificate({
    issuer: deps.issuer,
    spki: csr.spki,
    identity,
    trustDomain: deps.trustDomain,
    serial,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
  });
  const pem = pemEncode('CERTIFICATE', der);
  const fingerprint = sha256Hex(der);
  // Every issued certificate is recorded (and audited) before it leaves: revokeWhere must find it.
  const recorded = deps.certificates.insert({
    serial: serial.hex,
    kind: 'client',
    subject,
    userId: req.userId,
    deviceId: req.deviceId,
    sessionId: req.sessionId,
    grantId: req.grantId ?? null,
    fingerprint,
    notBefore,
    notAfter,
    issuedAt: now.getTime(),
    pem,
  });
  const audited = deps.audit?.append({
    type: 'ca.issue',
    actor: userActor(req.userId),
    outcome: 'success',
    time: now,
    detail: {
      serial: serial.hex,
      fingerprint,
      userId: req.userId,
      deviceId: req.deviceId,
      sessionId: req.sessionId,
      grantId: req.grantId ?? null,
      key: csr.key.type === 'ec' ? `ec ${csr.key.curve}` : `rsa ${csr.key.bits}`,
      notBefore: new Date(notBefore).toISOString(),
      notAfter: new Date(notAfter).toISOString(),
    },
  });
  await Promise.all([recorded, audited]);
  return { serial: serial.hex, certificatePem: pem, chainPem: pem + deps.issuer.pem, subject, fingerprint, notBefore: new Date(notBefore), notAfter: new Date(notAfter) };
}
