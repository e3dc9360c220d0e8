// The `gateways.http` config section (DICOMweb gateway). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';

export const httpGatewayConfigSchema = z.object({}).strict();
