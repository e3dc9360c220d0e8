// The policy module's vocabulary: entities, request context, decisions and loaded sets.
import type { AuditReceipt } from '../audit/types.js';

/** A Cedar entity uid; `type` is namespaced, e.g. `Radgate::User`. */
export interface EntityRef {
  type: string;
  id: string;
}

/** A Cedar attribute value in Cedar's JSON form (entity refs as `{type, id}` are read against the schema). */
export type CedarValue = string | number | boolean | null | CedarValue[] | { [key: string]: CedarValue };

/** Everything the engine knows about one entity: its uid, attributes and direct parents. */
export interface EntityDescription {
  uid: EntityRef;
  attrs?: Record<string, CedarValue>;
  parents?: readonly EntityRef[];
}

export const ACTIONS = [
  'dicomweb.query',
  'dicomweb.retrieve',
  'dicomweb.store',
  'dicom.associate',
  'dicom.echo',
  'dicom.find',
  'dicom.get',
  'dicom.move',
  'dicom.store',
  'web.access',
  'tunnel.connect',
  'certificate.issue',
  'device.enroll',
  'access.request',
  'access.approve',
  'policy.propose',
  'policy.approve',
  'breakglass.invoke',
  'admin.read',
] as const;

export type RadgateAction = (typeof ACTIONS)[number];

export type DeviceTier = 'high' | 'standard' | 'low' | 'untrusted' | 'unmanaged';

/** Request facts, mirroring `RequestContext` in policies/radgate.cedarschema. Absent = unknown. */
export interface DecisionContext {
  auth?: { methods: string[]; webauthn: boolean; ageSeconds: number };
  device?: { id: string; managed: boolean; tier: DeviceTier; stale: boolean; postureAgeSeconds?: number };
  /** `source` is an IPv4/IPv6 address. */
  network?: { source: string };
  time?: { hour: number; weekday: number };
  grant?: { active: boolean; id: string; target: EntityRef; secondsLeft: number };
  risk?: { score: number };
  /** `bulk`: a whole-study/series export rather than frames, rendered images or thumbnails. */
  request?: { bulk: boolean };
  /** DIMSE facts (DICOM gateway): AE titles, SOP class, query level, C-MOVE destination. */
  dicom?: { callingAe: string; calledAe: string; sopClass?: string; level?: string; moveDestination?: string; moveDestinationOwn?: boolean };
  breakGlass?: boolean;
}

/** One authorization question, as the test runner and `explain` carry it. */
export interface DecisionRequest {
  principal: EntityDescription;
  action: RadgateAction;
  resource: EntityDescription;
  context: DecisionContext;
  /** Further entities the policies may reach: roles, a study's target, a request's requester. */
  entities?: readonly EntityDescription[];
}

export interface DecisionError {
  policyId?: string;
  message: string;
}

export interface Decision {
  decision: 'allow' | 'deny';
  /** Allow: the permitting policies. Deny: the forbids that fired (empty for default deny). */
  policyIds: readonly string[];
  /** Stable codes: permitting policy ids on allow; `@reason`s of forbids, `no-permit` or `engine-error` on deny. */
  reasons: readonly string[];
  errors: readonly DecisionError[];
  /** Answered from the decision cache. */
  cached: boolean;
  /**
   * A cached repeat of an identical decision inside the audit coalescing window: `durable`
   * is the first one's record, and the repeats are counted in one `decision.coalesced`
   * event when the window closes.
   */
  coalesced?: boolean;
  /** Settles once the decision's audit event is durable; release data only after it resolves. */
  durable: Promise<AuditReceipt>;
}

/** One policy as loaded from a `.cedar` file. */
export interface LoadedPolicy {
  id: string;
  effect: 'permit' | 'forbid';
  /** Reason code reported when this forbid decides (its `@reason`, else its id). */
  reason: string;
  file: string;
  line: number;
  col: number;
  text: string;
  annotations: Readonly<Record<string, string | null>>;
  /** Cedar's JSON form of the policy (for static analysis such as the cache key). */
  json: unknown;
}

/** A validated, immutable policy set ready to activate. */
export interface PolicySet {
  /** Directory (or label) it was loaded from. */
  source: string;
  namespace: string;
  schemaFile: string;
  schemaText: string;
  /** Cedar schema JSON with resolved types. */
  schemaJson: unknown;
  policies: ReadonlyMap<string, LoadedPolicy>;
  files: readonly string[];
  /** SHA-256 (hex) over the schema and every policy file. */
  digest: string;
  /** Short form of the digest, for logs and audit. */
  version: string;
  warnings: readonly PolicyIssue[];
}

/** A problem in a schema or policy file, at file:line:col (1-based). */
export interface PolicyIssue {
  file: string;
  line: number;
  col: number;
  message: string;
  policyId?: string;
}
