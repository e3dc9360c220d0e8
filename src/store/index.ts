export { openStore, migrateDatabase, MIGRATIONS_DIR } from './openStore.js';
export type { Store, OpenStoreOptions } from './openStore.js';
export type { AuditRepo, AuditRow, CheckpointRow, AuditQuery } from './auditRepo.js';
export type { CertificatesRepo, CertificateRow, NewCertificateRow } from './certificatesRepo.js';
export type { PolicyVersionsRepo, PolicyVersionRow, NewPolicyVersionRow } from './policyVersionsRepo.js';
export type { UsersRepo, UserRow, NewUserRow } from './usersRepo.js';
export type { SessionsRepo, SessionRow, NewSessionRow } from './sessionsRepo.js';
export type { WebauthnRepo, CredentialRow, NewCredentialRow } from './webauthnRepo.js';
export type { ChallengesRepo, ChallengeRow, EnrolmentCodeRow } from './challengesRepo.js';
