// The `gateways.tunnel` config section (vendor tunnel gateway). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';

export const tunnelGatewayConfigSchema = z.object({}).strict();
