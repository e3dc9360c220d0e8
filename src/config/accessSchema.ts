// The `access` config section (targets, requests, grants, break-glass). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';
import { duration } from './duration.js';

/** Cedar-friendly target name: also the `Radgate::Target` id and the tunnel preface. */
export const TARGET_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** host:port (IPv4, DNS name or [IPv6]) of a tcp upstream. */
export const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export const targetLabelsSchema = z
  .object({
    site: z.string().min(1).max(64).optional(),
    department: z.string().min(1).max(64).optional(),
    owner: z.string().min(1).max(128).optional(),
    risk: z.enum(['low', 'medium', 'high'], { error: 'expected "low", "medium" or "high"' }).optional(),
  })
  .strict();

export const targetConfigSchema = z
  .object({
    name: z.string().regex(TARGET_NAME, { error: 'expected a short lower-case name ([a-z0-9._-], at most 64)' }),
    kind: z.literal('tcp', { error: 'expected "tcp" (other kinds come with their gateways)' }).default('tcp'),
    address: z
      .string()
      .regex(HOST_PORT, { error: 'expected host:port' })
      .refine((a) => {
        const p = Number(HOST_PORT.exec(a)?.[2]);
        return p >= 1 && p <= 65535;
      }, { error: 'expected a port 1-65535' }),
    labels: targetLabelsSchema.prefault({}),
    /** Longest grant a request may ask for on this target (below the role maximum). */
    maxDuration: duration().optional(),
    /** Record the raw byte stream of tunnels (unencrypted service protocols only). */
    recording: z.boolean().default(false),
  })
  .strict();

export type TargetConfig = z.output<typeof targetConfigSchema>;

export const accessConfigSchema = z
  .object({
    /** Targets declared here are read-only through the API; admins add others at run time. */
    targets: z.array(targetConfigSchema).default([]),
    /** Duration of a request that names none. */
    defaultDuration: duration().default(2 * 3600),
    /** Longest grant per role; a vendor is bounded by `vendor`, others by the smallest of their roles. */
    roleMaxDuration: z.record(z.string().min(1), duration()).default({ vendor: 8 * 3600, clinician: 4 * 3600, admin: 4 * 3600 }),
    /** For users none of whose roles is listed. */
    defaultMaxDuration: duration().default(4 * 3600),
    /** How far ahead a request may start. */
    maxStartAhead: duration().default(14 * 86400),
    /** A pending request expires this long after it was made (or when its window ends, if sooner). */
    pendingTtl: duration().default(24 * 3600),
    /** Distinct approvers a `risk: high` target needs (others need one). */
    highRiskApprovals: z.number().int().min(2).max(5).default(2),
    /** Longest (and default) break-glass grant. */
    breakGlassMaxDuration: duration()
      .default(3600)
      .refine((s) => s >= 60 && s <= 8 * 3600, { error: 'expected 1m-8h' }),
  })
  .strict()
  .refine((a) => new Set(a.targets.map((t) => t.name)).size === a.targets.length, { error: 'access.targets: target names must be unique' });

export type AccessConfig = z.output<typeof accessConfigSchema>;
