// The `gateways.dicom` config section (DIMSE gateway). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';

export const dicomGatewayConfigSchema = z.object({}).strict();
