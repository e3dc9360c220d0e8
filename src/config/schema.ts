// The radgate.yaml schema: every key, its type and its default, in one place.
import { z } from 'zod';
import { duration } from './duration.js';

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
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    dev: z
      .object({
        idp: z.object({ enabled: z.boolean().default(false) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
