// The analytics vocabulary: what one audit event means for behaviour, the alert kinds,
// and a detection with its explanation.

export const ALERT_KINDS = ['volume-spike', 'off-hours', 'snooping', 'first-use', 'vendor-pattern', 'auth-burst'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface PrincipalInfo {
  kind: string;
  org: string;
}

/** One audit event reduced to what the detectors look at. */
export interface Activity {
  /** Epoch ms. */
  t: number;
  seq: number;
  /** User id, or `net:<prefix>` / `anonymous` for unauthenticated failures. */
  subject: string;
  kind: string;
  org: string;
  cls: 'access' | 'auth-fail' | 'deny' | 'auth-ok';
  target?: string;
  /** Source network prefix (IPv4 /24, IPv6 /48). */
  network?: string;
  study?: string;
  patient?: string;
  bytes: number;
  grantId?: string;
}

export interface Explanation {
  /** The baseline that was broken, in words. */
  baseline: string;
  observed: number;
  expected: number;
  threshold: number;
  /** observed / expected (how far outside), when meaningful. */
  factor?: number;
  /** One sentence for people. */
  message: string;
  [extra: string]: unknown;
}

export interface Detection {
  kind: AlertKind;
  subject: string;
  org: string;
  /** Epoch ms of the event that crossed the threshold. */
  t: number;
  seq: number;
  score: number;
  explanation: Explanation;
}
