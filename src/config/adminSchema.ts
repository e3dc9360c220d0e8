// The `admin` config section (policy lifecycle and admin console). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';

export const adminConfigSchema = z.object({}).strict();
