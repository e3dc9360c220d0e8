// The only table definitions; drizzle-kit generates migrations/ from this file.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Local users, keyed by (issuer, subject) of their IdP. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    kind: text('kind', { enum: ['workforce', 'vendor', 'service'] }).notNull(),
    organization: text('organization'),
    department: text('department'),
    displayName: text('display_name'),
    email: text('email'),
    /** JSON array of role names. */
    roles: text('roles').notNull().default('[]'),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_issuer_subject').on(t.issuer, t.subject)],
);

/** Enrolled devices and their latest posture-derived tier. */
export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    /** SPKI PEM of the device key; the private key never leaves the device. */
    publicKey: text('public_key').notNull(),
    state: text('state', { enum: ['pending', 'active', 'revoked'] }).notNull(),
    /** JSON object of enrolment facts (hostname, os, machine id). */
    facts: text('facts').notNull().default('{}'),
    tier: text('tier'),
    postureAt: integer('posture_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('devices_user').on(t.userId)],
);

/** Every certificate the CA issued, with its revocation state. */
export const certificates = sqliteTable(
  'certificates',
  {
    serial: text('serial').primaryKey(),
    kind: text('kind', { enum: ['root', 'intermediate', 'server', 'client', 'service'] }).notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id'),
    deviceId: text('device_id'),
    sessionId: text('session_id'),
    grantId: text('grant_id'),
    /** SHA-256 of the DER, hex. */
    fingerprint: text('fingerprint').notNull(),
    notBefore: integer('not_before').notNull(),
    notAfter: integer('not_after').notNull(),
    issuedAt: integer('issued_at').notNull(),
    revokedAt: integer('revoked_at'),
    revocationReason: text('revocation_reason'),
    pem: text('pem').notNull(),
  },
  (t) => [
    index('certificates_user').on(t.userId),
    index('certificates_device').on(t.deviceId),
    index('certificates_session').on(t.sessionId),
    index('certificates_revoked').on(t.revokedAt),
  ],
);

/** Policy sets, content-addressed by the SHA-256 of their canonical form. */
export const policyVersions = sqliteTable(
  'policy_versions',
  {
    id: text('id').primaryKey(),
    state: text('state', { enum: ['proposed', 'active', 'superseded', 'rejected'] }).notNull(),
    /** JSON object: file name -> text (policies, schema, tests). */
    files: text('files').notNull(),
    author: text('author').notNull(),
    message: text('message').notNull().default(''),
    approvedBy: text('approved_by'),
    createdAt: integer('created_at').notNull(),
    activatedAt: integer('activated_at'),
  },
  (t) => [index('policy_versions_state').on(t.state)],
);

/** The hash-chained audit log; append-only. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey(),
    /** RFC 3339 UTC with milliseconds. */
    time: text('time').notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    outcome: text('outcome').notNull(),
    /** Canonical JSON (RFC 8785) of the event detail. */
    detail: text('detail').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // No secondary indexes: each one costs a scattered page write per commit on the
  // durable path (measured 3x fewer events/s with an actor index). Search indexes
  // are built off the durable path when the audit search lands.
);

/** Signed checkpoints of the audit chain head; they make truncation detectable. */
export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
  time: text('time').notNull(),
  keyId: text('key_id').notNull(),
  /** Ed25519 signature, base64, over the checkpoint's canonical JSON. */
  signature: text('signature').notNull(),
});

/** Login sessions (browser and agent). The token is never stored, only its SHA-256. */
export const loginSessions = sqliteTable(
  'login_sessions',
  {
    /** Public, random session id (shown to users; not a credential). */
    id: text('id').primaryKey(),
    /** SHA-256 (hex) of the 256-bit bearer token / cookie value. */
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: ['browser', 'agent'] }).notNull(),
    /** pending-key: OIDC done, security key not yet; active: both; ended. */
    state: text('state', { enum: ['pending-key', 'active', 'ended'] }).notNull(),
    /** Name of the IdP in config. */
    idp: text('idp').notNull(),
    /** IdP session id (`sid`) for back-channel logout. */
    idpSid: text('idp_sid'),
    /** JSON array of authentication methods (`oidc`, `webauthn`, IdP amr values). */
    amr: text('amr').notNull().default('[]'),
    credentialId: text('credential_id'),
    /** The browser session an agent session was minted from. */
    parentId: text('parent_id'),
    /** CSRF synchronizer secret for cookie-authenticated state changes. */
    csrfSecret: text('csrf_secret').notNull(),
    userAgent: text('user_agent'),
    sourceIp: text('source_ip'),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    /** Absolute end, epoch ms. */
    expiresAt: integer('expires_at').notNull(),
    /** When the IdP last authenticated the user, epoch ms. */
    oidcAt: integer('oidc_at').notNull(),
    /** Last WebAuthn user verification, epoch ms. */
    verifiedAt: integer('verified_at'),
    endedAt: integer('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [
    uniqueIndex('login_sessions_token').on(t.tokenHash),
    index('login_sessions_user').on(t.userId),
    index('login_sessions_sid').on(t.idpSid),
  ],
);

/** WebAuthn credentials (security keys) registered by users. */
export const webauthnCredentials = sqliteTable(
  'webauthn_credentials',
  {
    /** Credential id, base64url. */
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    /** COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull(),
    /** JSON array of transports. */
    transports: text('transports').notNull().default('[]'),
    aaguid: text('aaguid').notNull(),
    name: text('name').notNull(),
    deviceType: text('device_type'),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    /** Set when the credential is locked (e.g. its counter went backwards). */
    lockedAt: integer('locked_at'),
    lockReason: text('lock_reason'),
  },
  (t) => [index('webauthn_credentials_user').on(t.userId)],
);

/** Single-use challenges and transactions (WebAuthn ceremonies, OIDC logins, agent logins). */
export const authChallenges = sqliteTable(
  'auth_challenges',
  {
    /** SHA-256 (hex) of the handle the client holds (state, challenge id, code). */
    idHash: text('id_hash').primaryKey(),
    purpose: text('purpose').notNull(),
    sessionId: text('session_id'),
    userId: text('user_id'),
    /** JSON payload (challenge, code_verifier, nonce, return_to, …). */
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('auth_challenges_expires').on(t.expiresAt)],
);

/** Admin-issued one-time codes that allow a user's first security-key registration. */
export const enrolmentCodes = sqliteTable('enrolment_codes', {
  codeHash: text('code_hash').primaryKey(),
  userId: text('user_id').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

/** Signed posture reports as received (the latest per device drives its tier). */
export const postureReports = sqliteTable(
  'posture_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id').notNull(),
    /** When the agent collected the signals (its claim), epoch ms. */
    collectedAt: integer('collected_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    /** JSON: the signals as reported (value + how obtained). */
    signals: text('signals').notNull(),
    tier: text('tier').notNull(),
    /** JSON array of the rules that lowered the tier. */
    reasons: text('reasons').notNull().default('[]'),
  },
  (t) => [index('posture_reports_device').on(t.deviceId, t.receivedAt)],
);

/** Fixed equipment (modalities, workstations): a service principal bound to AE titles / host. */
export const servicePrincipals = sqliteTable('service_principals', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Owning user (accountable person). */
  ownerUserId: text('owner_user_id').notNull(),
  /** JSON array of DICOM AE titles it may use. */
  aeTitles: text('ae_titles').notNull().default('[]'),
  host: text('host'),
  state: text('state', { enum: ['active', 'revoked'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

// ---- access (vendor requests, approvals, grants) ---------------------------------

/** Protected upstreams (tcp, pacs-dicomweb, pacs-dimse, web) with their labels. */
export const targets = sqliteTable('targets', {
  /** Short name; the Cedar `Radgate::Target` id. */
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['tcp', 'pacs-dicomweb', 'pacs-dimse', 'web'] }).notNull(),
  /** host:port for tcp/dimse, base URL for http kinds. */
  address: text('address').notNull(),
  /** JSON object of labels: site, department, owner, risk (low|medium|high). */
  labels: text('labels').notNull().default('{}'),
  /** Longest grant a request may ask for, seconds; null = the config default. */
  maxDurationSeconds: integer('max_duration_seconds'),
  /** Record raw tunnel byte streams (unencrypted service protocols only). */
  recording: integer('recording', { mode: 'boolean' }).notNull().default(false),
  /** config: declared in radgate.yaml (read-only via API); admin: added through API/CLI. */
  source: text('source', { enum: ['config', 'admin'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  removedAt: integer('removed_at'),
});

/** Just-in-time access requests. */
export const accessRequests = sqliteTable(
  'access_requests',
  {
    id: text('id').primaryKey(),
    requesterId: text('requester_id').notNull(),
    requesterOrg: text('requester_org').notNull(),
    target: text('target').notNull(),
    reason: text('reason').notNull(),
    ticket: text('ticket'),
    /** Requested window, epoch ms. */
    startAt: integer('start_at').notNull(),
    endAt: integer('end_at').notNull(),
    state: text('state', { enum: ['pending', 'approved', 'denied', 'expired', 'cancelled'] }).notNull(),
    /** Distinct approvals needed (2 for risk: high targets). */
    approvalsNeeded: integer('approvals_needed').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
  },
  (t) => [index('access_requests_state').on(t.state), index('access_requests_requester').on(t.requesterId)],
);

/** One approver's decision on one request (an approver decides once). */
export const accessApprovals = sqliteTable(
  'access_approvals',
  {
    requestId: text('request_id').notNull(),
    approverId: text('approver_id').notNull(),
    decision: text('decision', { enum: ['approve', 'deny'] }).notNull(),
    comment: text('comment'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('access_approvals_once').on(t.requestId, t.approverId)],
);

/** Time-boxed grants (from approved requests or break-glass). */
export const grants = sqliteTable(
  'grants',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id'),
    userId: text('user_id').notNull(),
    target: text('target').notNull(),
    startAt: integer('start_at').notNull(),
    endAt: integer('end_at').notNull(),
    state: text('state', { enum: ['active', 'revoked', 'ended'] }).notNull(),
    breakGlass: integer('break_glass', { mode: 'boolean' }).notNull().default(false),
    reason: text('reason'),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by'),
    revokeReason: text('revoke_reason'),
    /** After-the-fact review of break-glass grants. */
    reviewedAt: integer('reviewed_at'),
    reviewedBy: text('reviewed_by'),
    reviewNote: text('review_note'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('grants_user').on(t.userId, t.state), index('grants_state_end').on(t.state, t.endAt)],
);

// ---- policy lifecycle -------------------------------------------------------------

/** Approvals of proposed policy versions (two-person rule). */
export const policyApprovals = sqliteTable(
  'policy_approvals',
  {
    versionId: text('version_id').notNull(),
    approverId: text('approver_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('policy_approvals_once').on(t.versionId, t.approverId)],
);

/**
 * What each decision was asked (principal, resource and extra entities, context), keyed
 * by the seq of its `decision` audit event, for replaying decisions under a proposed
 * policy set (impact preview). Written off the durable path, pruned past the window.
 */
export const decisionFacts = sqliteTable('decision_facts', {
  seq: integer('seq').primaryKey(),
  /** JSON {p, r, e?, c}: entity descriptions and the context as authorize() saw them. */
  facts: text('facts').notNull(),
});

/** Review queue for loud events (break-glass, emergency policy rollback, alerts). */
export const reviewItems = sqliteTable(
  'review_items',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** Id of the grant / policy version / alert under review. */
    subjectId: text('subject_id').notNull(),
    summary: text('summary').notNull(),
    createdAt: integer('created_at').notNull(),
    reviewedAt: integer('reviewed_at'),
    reviewedBy: text('reviewed_by'),
    note: text('note'),
  },
  (t) => [index('review_items_open').on(t.reviewedAt, t.kind)],
);

// ---- monitoring ---------------------------------------------------------------------

/** Behavioural alerts raised by analytics. */
export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** The principal (user id) or vendor organisation the alert is about. */
    subject: text('subject').notNull(),
    detectedAt: integer('detected_at').notNull(),
    /** 0-100 contribution to the subject's risk score. */
    score: integer('score').notNull(),
    /** JSON: the baseline broken, observed value, expected value, by how much. */
    explanation: text('explanation').notNull(),
    auditSeq: integer('audit_seq'),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
  },
  (t) => [index('alerts_subject').on(t.subject, t.detectedAt), index('alerts_open').on(t.acknowledgedAt)],
);

/** Persisted analytics state (baselines per principal / organisation), JSON per key. */
export const analyticsState = sqliteTable('analytics_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  /** Last audit seq folded into this state. */
  seq: integer('seq').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Export consumers' positions in the audit chain (ATNA, FHIR). */
export const exportCursors = sqliteTable('export_cursors', {
  name: text('name').primaryKey(),
  /** Last audit seq handed to the consumer's spool. */
  seq: integer('seq').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
