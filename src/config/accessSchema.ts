// The `access` config section (targets, requests, grants, break-glass). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';

export const accessConfigSchema = z.object({}).strict();
