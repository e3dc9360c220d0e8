// The `monitoring` config section (ATNA/FHIR export, analytics, metrics). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';

export const monitoringConfigSchema = z.object({}).strict();
