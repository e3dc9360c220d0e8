// The CA module's surface: open the CA, issue from CSRs, revoke, serve the CRL, and the
// helpers gateways need to read and check a client certificate.
export { openCa } from './openCa.js';
export type { Ca, CaInfo, CertificateSummary, OpenCaOptions, RevokeFilter, ServerCredentials } from './openCa.js';
export type { IssueRequest, IssuedCertificate } from './issueFromCsr.js';
export type { ClientIdentity } from './buildClientCertificate.js';
export type { CaLogger } from './loadOrCreateCa.js';
export type { CaPaths } from './caPaths.js';
export { REVOCATION_REASONS, isRevocationReason } from './revocationReasons.js';
export type { RevocationReason } from './revocationReasons.js';
export { readCertificateIdentity } from './readCertificateIdentity.js';
export type { CertificateIdentity, PeerCertificateLike } from './readCertificateIdentity.js';
export { identityUri, parseIdentityUri } from './identityUris.js';
export type { IdentityKind } from './identityUris.js';
export { normalizeSerial } from './serial.js';
export { crlResponse } from './crlResponse.js';
export type { CrlResponse } from './crlResponse.js';
export { parseCsr, MAX_CSR_PEM_LENGTH } from './parseCsr.js';
export type { ParsedCsr } from './parseCsr.js';
