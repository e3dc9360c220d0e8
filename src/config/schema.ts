// The radgate.yaml schema: every key, its type and its default, in one place.
import { z } from 'zod';
import { duration } from './duration.js';
import { devicesConfigSchema } from './devicesSchema.js';
import { accessConfigSchema } from './accessSchema.js';
import { adminConfigSchema } from './adminSchema.js';
import { dicomGatewayConfigSchema } from './dicomGatewaySchema.js';
import { httpGatewayConfigSchema } from './httpGatewaySchema.js';
import { monitoringConfigSchema } from './monitoringSchema.js';
import { tunnelGatewayConfigSchema } from './tunnelGatewaySchema.js';
import { webhookConfigSchema } from './webhookSchema.js';

const port = z
  .number({ error: 'expected integer 1-65535' })
  .int({ error: 'expected integer 1-65535' })
  .min(1, { error: 'expected integer 1-65535' })
  .max(65535, { error: 'expected integer 1-65535' });

const host = z
  .string({ error: 'expected a host name or IP address' })
  .regex(/^[A-Za-z0-9.:\-[\]]+$/, { error: 'expected a host name or IP address' });

const listener = (defaultPort: number) =>
  z
    .object({
      host: host.default('127.0.0.1'),
      port: port.default(defaultPort),
    })
    .strict()
    .prefault({});

const idpSchema = z
  .object({
    /** Short name used in URLs (/auth/login?idp=NAME). */
    name: z.string().regex(/^[a-z0-9-]{1,32}$/, { error: 'expected a short lower-case name' }),
    displayName: z.string().min(1).optional(),
    issuer: z.url({ error: 'expected the issuer URL' }),
    clientId: z.string().min(1),
    /** Prefer RADGATE_IDENTITY__IDPS as JSON or a secrets file in production. */
    clientSecret: z.string().min(1).optional(),
    scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
    /** Kind of the users this IdP signs in, unless the kind claim says otherwise. */
    kind: z.enum(['workforce', 'vendor']).default('workforce'),
    claims: z
      .object({
        organization: z.string().default('org'),
        department: z.string().default('department'),
        groups: z.string().default('groups'),
        kind: z.string().optional(),
        displayName: z.string().default('name'),
        email: z.string().default('email'),
      })
      .strict()
      .prefault({}),
    /** IdP group -> radgate role. Users get only mapped roles. */
    roleMap: z.record(z.string(), z.string()).default({}),
    /** Accepted ID token signing algorithms; never "none". */
    algorithms: z.array(z.enum(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])).default(['RS256', 'PS256', 'ES256', 'EdDSA']),
    /** Plain-http issuer: loopback test IdPs only; refused in production. */
    allowInsecureHttp: z.boolean().default(false),
  })
  .strict();

export const configSchema = z
  .object({
    /** Data directory; relative paths below are resolved against it. */
    home: z.string().min(1).default('.radgate'),
    mode: z.enum(['development', 'production'], { error: 'expected "development" or "production"' }).default('development'),
    listen: z
      .object({
        control: listener(8443),
      })
      .strict()
      .prefault({}),
    /** The URL people and agents use to reach the control plane. */
    publicUrl: z.url({ error: 'expected an https URL' }).optional(),
    store: z
      .object({
        path: z.string().min(1).default('radgate.db'),
        busyTimeoutMs: z.number().int().min(0).max(60_000).default(5000),
      })
      .strict()
      .prefault({}),
    ca: z
      .object({
        dir: z.string().min(1).default('ca'),
        trustDomain: z
          .string()
          .regex(/^[a-z0-9.-]+$/, { error: 'expected a lower-case DNS-style name' })
          .default('radgate.local'),
        /** Upper bound for any client certificate's lifetime. */
        clientCertMaxTtl: duration().default(8 * 3600),
        serverNames: z.array(z.string().min(1)).min(1).default(['localhost', '127.0.0.1']),
        /** Optional passphrase that encrypts CA keys at rest (prefer RADGATE_CA__PASSPHRASE). */
        passphrase: z.string().min(12, { error: 'expected at least 12 characters' }).optional(),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        dir: z.string().min(1).default('policies'),
        cacheTtl: duration().default(2),
        cacheMaxEntries: z.number().int().min(0).max(10_000_000).default(100_000),
        /** Identical cached decisions inside this window share one audit record plus a count (0: every call). */
        auditCoalesce: duration().default(5),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        checkpointEvery: z.number().int().min(1).default(1000),
        checkpointInterval: duration().default(60),
      })
      .strict()
      .prefault({}),
    identity: z
      .object({
        /** OpenID Providers, side by side; each user is keyed by (issuer, sub). */
        idps: z.array(idpSchema).default([]),
        session: z
          .object({
            idleTimeout: duration().default(30 * 60),
            absoluteTimeout: duration().default(12 * 3600),
            /** Agent sessions may live longer than browser ones, still bounded. */
            agentAbsoluteTimeout: duration().default(12 * 3600),
          })
          .strict()
          .prefault({}),
        webauthn: z
          .object({
            /** Relying-party id: a domain (not an IP); defaults to the publicUrl host. */
            rpId: z.string().regex(/^[a-z0-9.-]+$/, { error: 'expected a domain name (WebAuthn refuses IP addresses)' }).optional(),
            rpName: z.string().min(1).default('radgate'),
            /** Allowed origins; defaults to publicUrl's origin. */
            origins: z.array(z.url()).optional(),
            /** Roles whose sign-ins require user verification (PIN/biometric on the key). */
            userVerificationRoles: z.array(z.string().min(1)).default(['admin']),
            /** Allowed authenticator AAGUIDs; empty allows any. */
            aaguidAllowlist: z.array(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'expected an AAGUID (UUID)' })).default([]),
            /** How a user's first key may be registered. */
            enrolment: z.enum(['oidc-window', 'admin-code'], { error: 'expected "oidc-window" or "admin-code"' }).default('oidc-window'),
            /** The first key must be registered this soon after the OIDC sign-in. */
            enrolmentWindow: duration().default(10 * 60),
            challengeTtl: duration().default(5 * 60),
          })
          .strict()
          .prefault({}),
        /** Default freshness demanded by step-up for sensitive actions. */
        stepUpMaxAge: duration().default(5 * 60),
      })
      .strict()
      .prefault({}),
    /** Device enrolment, posture tiers and certificate lifetimes. */
    devices: devicesConfigSchema.prefault({}),
    /** The data-plane listeners. */
    gateways: z
      .object({
        http: httpGatewayConfigSchema.prefault({}),
        dicom: dicomGatewayConfigSchema.prefault({}),
        tunnel: tunnelGatewayConfigSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    access: accessConfigSchema.prefault({}),
    webhook: webhookConfigSchema.prefault({}),
    admin: adminConfigSchema.prefault({}),
    monitoring: monitoringConfigSchema.prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    dev: z
      .object({
        /** The embedded development IdP (oidc-provider) with demo users; loopback only. */
        idp: z.object({ enabled: z.boolean().default(false) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
