// The `gateways.http` config section: the DICOMweb gateway's listener, limits and targets.
import { z } from 'zod';
import { duration } from './duration.js';

const dicomwebTarget = z
  .object({
    /** Target name in policy (`Radgate::Target::"<name>"`). */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected a short lower-case name' }),
    /** The PACS's HTTP origin, e.g. http://127.0.0.1:8042 (plain http only to loopback or a trusted network). */
    upstream: z.url({ error: 'expected the PACS base URL, e.g. http://127.0.0.1:8042' }),
    /** Public DICOMweb prefix on the gateway; unique per gateway. */
    root: z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, { error: 'expected a path like /dicom-web' }).default('/dicom-web'),
    /** The PACS's DICOMweb prefix (Orthanc: /dicom-web). */
    upstreamRoot: z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, { error: 'expected a path like /dicom-web' }).default('/dicom-web'),
    /** Credentials the broker presents to the PACS (prefer RADGATE_GATEWAYS__HTTP__TARGETS as JSON or a secrets file). */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    department: z.string().min(1),
    site: z.string().min(1).optional(),
    risk: z.enum(['low', 'medium', 'high']).optional(),
    /** Send X-Radgate-User/-Session/-Device upstream (honoured only for loopback upstreams). */
    identityHeaders: z.boolean().default(false),
    /** A study without a department in the PACS: use the target's (default) or deny. */
    studyDepartmentFallback: z.enum(['target', 'none']).default('target'),
  })
  .strict()
  .refine((t) => (t.username === undefined) === (t.password === undefined), { error: 'username and password go together' });

export const httpGatewayConfigSchema = z
  .object({
    /** Started by `radgate serve` when true and at least one target is configured. */
    enabled: z.boolean().default(false),
    listen: z
      .object({
        host: z.string().regex(/^[A-Za-z0-9.:\-[\]]+$/, { error: 'expected a host name or IP address' }).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8444),
      })
      .strict()
      .prefault({}),
    targets: z.array(dicomwebTarget).default([]),
    maxQidoLimit: z.number().int().min(1).max(100_000).default(1000),
    upstreamTimeout: duration().default(30),
    headersTimeout: duration().default(10),
    requestTimeout: duration().default(300),
    keepAliveTimeout: duration().default(5),
    maxHeaderBytes: z.number().int().min(1024).max(65_536).default(16_384),
    /** Window in which repeated requests of one session for one study and action share an audit record. */
    auditCoalesce: duration().default(10),
    studyCacheTtl: duration().default(30),
    /** Extra origins whose pages may make cookie-authenticated stores (viewer origins). */
    trustedOrigins: z.array(z.url()).default([]),
  })
  .strict();

export type HttpGatewayConfig = z.output<typeof httpGatewayConfigSchema>;
