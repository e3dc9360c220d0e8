// The `gateways.dicom` config section (DIMSE gateway). Included in configSchema by src/config/schema.ts.
// The listener is DICOM TLS only (PS3.15 B.9); legacy modalities without TLS reach it
// through the agent's loopback tunnel. Upstream PACS are keyed by the called AE title.
import { isIP } from 'node:net';
import { z } from 'zod';
import { duration } from './duration.js';

// PS3.5 6.2 (AE VR): 1-16 characters of the default repertoire, no backslash or control characters.
const aeTitle = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: 'expected an AE title: 1-16 printable characters without backslash' })
  .refine((t) => t.trim() === t && t.length > 0, { error: 'expected an AE title without leading or trailing spaces' });

const port = z.number().int().min(1).max(65535);
const host = z.string().regex(/^[A-Za-z0-9.:\-[\]]+$/, { error: 'expected a host name or IP address' });
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const upstreamSchema = z
  .object({
    /** Policy Target id (`Radgate::Target::"<name>"`). */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'expected a short lower-case target name' }),
    host,
    port,
    /** The PACS's own AE title (the called AE the gateway presents upstream). */
    aeTitle,
    /** The gateway's calling AE towards this PACS (the one the PACS allow-lists); default `gateways.dicom.aeTitle`. */
    callingAe: aeTitle.optional(),
    /** DICOM TLS to the PACS, verified against `caFile`; plain DICOM only on loopback. */
    tls: z
      .object({
        enabled: z.boolean().default(false),
        caFile: z.string().min(1).optional(),
        servername: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    department: z.string().min(1),
    site: z.string().min(1).optional(),
    risk: z.enum(['low', 'medium', 'high']).optional(),
  })
  .strict()
  .refine((u) => u.tls.enabled || LOOPBACK.has(u.host), { error: 'plain DICOM upstreams must be on loopback; enable tls for a remote PACS' })
  .refine((u) => !u.tls.enabled || u.tls.caFile !== undefined, { error: 'tls.caFile is required to verify the PACS' })
  .refine((u) => u.tls.enabled || isIP(u.host) !== 0 || u.host === 'localhost', { error: 'expected an IP address or localhost' });

export const dicomGatewayConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    listen: z.object({ host: host.default('127.0.0.1'), port: port.default(2762) }).strict().prefault({}),
    /** The gateway's own AE title (calling AE towards upstreams unless a target names another). */
    aeTitle: aeTitle.default('RADGATE'),
    /** Calling AE titles users (through the agent) may present; service principals use their registered ones. */
    userAeTitles: z.array(aeTitle).max(256).default([]),
    /** Upstream PACS keyed by the called AE title clients use. */
    upstreams: z.record(aeTitle, upstreamSchema).default({}),
    /** Largest P-DATA-TF the gateway receives (PS3.8 D.1); also the largest it lets either side send. */
    maxPduLength: z.number().int().min(4096).max(4 * 1024 * 1024).default(256 * 1024),
    limits: z
      .object({
        /** Largest A-ASSOCIATE-RQ/AC (storescu's 128 contexts are ~10 KB). */
        maxAssociateLength: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
        /** Largest C-FIND/C-GET/C-MOVE identifier, and how far into a C-STORE data set the study UID is sought. */
        maxIdentifierLength: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
        /** ARTIM (PS3.8 9.1.5): time allowed for the A-ASSOCIATE-RQ and for answers during release. */
        artim: duration().default(10),
        /** An association idle this long is aborted. */
        idleTimeout: duration().default(300),
        /** Denied commands after which the association is aborted. */
        maxDenials: z.number().int().min(1).max(1000).default(3),
        /** How often a long association re-checks its certificate, session, device and policy. */
        recheckInterval: duration().default(60),
        maxAssociations: z.number().int().min(1).max(100_000).default(512),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type DicomGatewayConfig = z.output<typeof dicomGatewayConfigSchema>;
export type DicomUpstreamConfig = z.output<typeof upstreamSchema>;
