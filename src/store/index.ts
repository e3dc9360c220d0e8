export { openStore, migrateDatabase, MIGRATIONS_DIR } from './openStore.js';
export type { Store, OpenStoreOptions } from './openStore.js';
export type { AuditRepo, AuditRow, CheckpointRow, AuditQuery } from './auditRepo.js';
export type { CertificatesRepo, CertificateRow, NewCertificateRow } from './certificatesRepo.js';
export type { PolicyVersionsRepo, PolicyVersionRow, NewPolicyVersionRow } from './policyVersionsRepo.js';
