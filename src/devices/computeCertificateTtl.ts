// The pure certificate lifetime rule: min(role maximum, login session remaining, grant end).
export interface TtlInput {
  userKind: string;
  roles: readonly string[];
  /** Seconds per role (config devices.roleMaxTtl). */
  roleMaxTtl: Readonly<Record<string, number>>;
  /** For users none of whose roles is listed. */
  defaultMaxTtl: number;
  /** Epoch ms. */
  now: number;
  sessionExpiresAt: number;
  /** Set when the certificate serves a vendor grant. */
  grantEndsAt?: number | undefined;
}

export interface TtlResult {
  ttlSeconds: number;
  /** What bound it: role, session or grant. */
  boundBy: 'role' | 'session' | 'grant';
}

/**
 * A vendor (user kind) is bounded by the `vendor` entry whatever other roles say; others
 * by the smallest maximum among their listed roles: the certificate carries every role
 * of its holder, so the most sensitive one sets the bound (least privilege). Returns
 * ttl 0 when nothing is left.
 */
export function computeCertificateTtl(i: TtlInput): TtlResult {
  const own = (k: string) => (Object.hasOwn(i.roleMaxTtl, k) ? i.roleMaxTtl[k] : undefined);
  let role: number | undefined;
  if (i.userKind === 'vendor') role = own('vendor');
  else for (const r of i.roles) {
    const v = own(r);
    if (v !== undefined && (role === undefined || v < role)) role = v;
  }
  const candidates: [TtlResult['boundBy'], number][] = [
    ['role', role ?? i.defaultMaxTtl],
    ['session', Math.floor((i.sessionExpiresAt - i.now) / 1000)],
  ];
  if (i.grantEndsAt !== undefined) candidates.push(['grant', Math.floor((i.grantEndsAt - i.now) / 1000)]);
  let best = candidates[0]!;
  for (const c of candidates) if (c[1] < best[1]) best = c;
  return { ttlSeconds: Math.max(0, Math.floor(best[1])), boundBy: best[0] };
}
