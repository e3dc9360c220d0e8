// The `monitoring` config section (ATNA/FHIR export, analytics, metrics). Included in configSchema by src/config/schema.ts.
// Relative file paths resolve against `home`.
import { z } from 'zod';
import { duration } from './duration.js';

const port = z.number().int().min(1).max(65535);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export const monitoringConfigSchema = z
  .object({
    /** IHE ATNA: PS3.15 A.5 XML over syslog (RFC 5424) on TLS (RFC 5425), through an on-disk spool. */
    atna: z
      .object({
        enabled: z.boolean().default(false),
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(6514),
        /** PEM file of the CA(s) that sign the collector's certificate (required when enabled). */
        caFile: z.string().min(1).optional(),
        /** Name the collector's certificate must carry (default: host). */
        servername: z.string().min(1).optional(),
        /** Client certificate and key (PEM files), when the collector demands one. */
        clientCertFile: z.string().min(1).optional(),
        clientKeyFile: z.string().min(1).optional(),
        spoolDir: z.string().min(1).default('spool/atna'),
        fsync: z.enum(['always', 'interval', 'never']).default('always'),
        /** AuditSourceID (default: the host name) and AuditEnterpriseSiteID. */
        sourceId: z.string().min(1).optional(),
        siteId: z.string().min(1).optional(),
        /** A new cursor starts with the whole chain or at its current head. */
        startAt: z.enum(['beginning', 'head']).default('beginning'),
      })
      .strict()
      .refine((a) => !a.enabled || a.caFile !== undefined, { error: 'caFile is required when atna is enabled (the collector certificate is always verified)' })
      .refine((a) => (a.clientCertFile === undefined) === (a.clientKeyFile === undefined), { error: 'clientCertFile and clientKeyFile go together' })
      .prefault({}),
    /**
     * FHIR R4 AuditEvent (IHE BALP) export, one resource per patient: POSTed as transaction
     * Bundles to a FHIR server's base URL, or appended as NDJSON to a file (exactly one).
     */
    fhir: z
      .object({
        enabled: z.boolean().default(false),
        /** FHIR base URL (https; plain http only to a loopback host). */
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
        /** PEM file of the CA(s) that sign an https endpoint's certificate (default: the system CAs). */
        caFile: z.string().min(1).optional(),
        /** File holding a bearer token sent as `Authorization: Bearer …`. */
        bearerTokenFile: z.string().min(1).optional(),
        /** NDJSON file the resources are appended to instead of an endpoint. */
        ndjsonFile: z.string().min(1).optional(),
        /** AuditEvent.source.observer (default: the ATNA sourceId, else the host name) and source.site. */
        sourceId: z.string().min(1).optional(),
        siteId: z.string().min(1).optional(),
        /** Resources per Bundle (or per NDJSON write). */
        batch: z.number().int().min(1).max(1000).default(100),
        timeout: duration().default(15),
        startAt: z.enum(['beginning', 'head']).default('beginning'),
      })
      .strict()
      .refine((f) => !f.enabled || (f.endpoint === undefined) !== (f.ndjsonFile === undefined), { error: 'exactly one of endpoint or ndjsonFile is required when fhir is enabled' })
      .refine((f) => f.endpoint === undefined || f.endpoint.startsWith('https:') || LOOPBACK.has(new URL(f.endpoint).hostname), {
        error: 'endpoint: audit events carry patient identifiers; plain http is allowed only to a loopback host',
      })
      .prefault({}),
    analytics: z
      .object({
        enabled: z.boolean().default(false),
        /** Minutes east of UTC for hour-of-day baselines (default: the host's zone). */
        utcOffsetMinutes: z.number().int().min(-840).max(840).optional(),
        warmupDays: z.number().int().min(1).max(60).default(7),
        volumeFloorBytes: z.number().int().min(1).default(2 * 1024 ** 3),
        snoopingFloorPatients: z.number().int().min(1).default(25),
        authBurstFloor: z.number().int().min(2).default(8),
        /** How fast an alert's contribution to context.risk decays. */
        riskHalfLife: duration().default(24 * 3600),
      })
      .strict()
      .prefault({}),
    /** Prometheus /metrics on its own listener (loopback by default: put a scraper-facing proxy in front to expose it). */
    metrics: z
      .object({
        enabled: z.boolean().default(false),
        listen: z.object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(9464) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type MonitoringConfig = z.output<typeof monitoringConfigSchema>;
