// The `devices` config section: enrolment auto-approval, posture freshness and tier
// rules, certificate lifetimes. The lead hooks it into configSchema as `devices`.
import { z } from 'zod';
import { duration } from './duration.js';

export const TIERS = ['high', 'standard', 'low', 'untrusted'] as const;
export const POSTURE_SIGNALS = [
  'osName',
  'osVersion',
  'kernel',
  'lastPackageUpdateAgeSeconds',
  'diskEncrypted',
  'firewallActive',
  'screenLock',
  'secureBoot',
  'agentVersion',
] as const;

const signalValue = z.union([z.string(), z.number(), z.boolean()]);

/** One posture rule: when the signal fails the test, the tier is capped at `cap`. */
export const tierRuleSchema = z
  .object({
    /** Stable reason code reported when the rule lowers the tier. */
    id: z.string().regex(/^[a-z0-9-]{1,64}$/, { error: 'expected a reason code like "disk-not-encrypted"' }),
    signal: z.enum(POSTURE_SIGNALS),
    /** eq: value equals; lte/gte: numeric bound; in: value is one of `value` (an array). */
    op: z.enum(['eq', 'lte', 'gte', 'in']),
    value: z.union([signalValue, z.array(signalValue).min(1)]),
    cap: z.enum(['standard', 'low', 'untrusted']),
    /** Cap when the agent could not read the signal (status unknown/unsupported or absent). */
    unknownCap: z.enum(['high', 'standard', 'low', 'untrusted']).default('standard'),
  })
  .strict()
  .refine((r) => (r.op === 'in') === Array.isArray(r.value), { error: 'op "in" takes an array value; other ops take one value' })
  .refine((r) => (r.op !== 'lte' && r.op !== 'gte') || typeof r.value === 'number', { error: 'op "lte"/"gte" takes a number' });

export type TierRule = z.output<typeof tierRuleSchema>;

const DAY = 86400;
export const DEFAULT_TIER_RULES: z.input<typeof tierRuleSchema>[] = [
  { id: 'disk-not-encrypted', signal: 'diskEncrypted', op: 'eq', value: true, cap: 'low' },
  { id: 'firewall-off', signal: 'firewallActive', op: 'eq', value: true, cap: 'standard' },
  { id: 'screen-lock-off', signal: 'screenLock', op: 'eq', value: true, cap: 'standard' },
  { id: 'secure-boot-off', signal: 'secureBoot', op: 'eq', value: true, cap: 'standard', unknownCap: 'high' },
  { id: 'updates-old', signal: 'lastPackageUpdateAgeSeconds', op: 'lte', value: 30 * DAY, cap: 'low' },
  { id: 'updates-abandoned', signal: 'lastPackageUpdateAgeSeconds', op: 'lte', value: 90 * DAY, cap: 'untrusted', unknownCap: 'high' },
];

export const devicesConfigSchema = z
  .object({
    /** Users with any of these roles (IdP groups map to roles via roleMap) are enrolled active; others wait for an admin. */
    autoApproveRoles: z.array(z.string().min(1)).default([]),
    posture: z
      .object({
        /** Posture older than this makes the device stale (denied by the default policy). */
        maxAge: duration().default(15 * 60),
        /** Lifetime of a posture nonce; at most 60 s. */
        nonceTtl: duration()
          .default(60)
          .refine((s) => s >= 1 && s <= 60, { error: 'expected 1s-60s' }),
        /** How far the agent's collectedAt may lie in the future (clock skew). */
        maxClockSkew: duration().default(5 * 60),
        rules: z.array(tierRuleSchema).default(() => DEFAULT_TIER_RULES.map((r) => tierRuleSchema.parse(r))),
      })
      .strict()
      .prefault({}),
    /** Longest client certificate per role; a user gets the smallest of their roles' values (least privilege). */
    roleMaxTtl: z.record(z.string().min(1), duration()).default({ clinician: 8 * 3600, vendor: 4 * 3600, admin: 3600 }),
    /** For users none of whose roles is listed. */
    defaultMaxTtl: duration().default(3600),
    /** Lifetime of a service principal's certificate (fixed equipment). */
    serviceCertTtl: duration().default(30 * DAY),
  })
  .strict();

export type DevicesConfig = z.output<typeof devicesConfigSchema>;
