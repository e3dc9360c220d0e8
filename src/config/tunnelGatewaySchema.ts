// The `gateways.tunnel` config section (vendor tunnel gateway). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';
import { duration } from './duration.js';

export const tunnelGatewayConfigSchema = z
  .object({
    /** Start the tunnel gateway listener with the broker. */
    enabled: z.boolean().default(false),
    listen: z
      .object({
        host: z.string().regex(/^[A-Za-z0-9.:\-[\]]+$/, { error: 'expected a host name or IP address' }).default('127.0.0.1'),
        /** 0 picks a free port (tests). */
        port: z.number().int().min(0).max(65535).default(8445),
      })
      .strict()
      .prefault({}),
    /** Host name agents dial (defaults to the listen host, localhost for loopback). */
    publicHost: z.string().min(1).optional(),
    /** Where per-target session recordings go (relative to home). */
    recordingDir: z.string().min(1).default('recordings'),
    /** The client must send its preface this soon after the handshake. */
    prefaceTimeout: duration().default(10),
    /** Connecting to the upstream may take this long. */
    upstreamConnectTimeout: duration().default(10),
  })
  .strict();

export type TunnelGatewayConfig = z.output<typeof tunnelGatewayConfigSchema>;
