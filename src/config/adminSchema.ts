// The `admin` config section (policy lifecycle and admin console). Included in configSchema by src/config/schema.ts.
import { z } from 'zod';
import { duration } from './duration.js';

const role = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'expected a role name like "auditor"' });

export const adminConfigSchema = z
  .object({
    /**
     * Lets one administrator re-activate a previously active policy version without a
     * second approval. Loud: webhook, review queue item and an `alert` audit event.
     */
    emergencyRollback: z.boolean().default(false),
    /** Days of stored decisions the impact preview replays by default. */
    impactWindowDays: z.number().int().min(1).max(90).default(7),
    /** Decision facts (for impact replay) older than this are pruned; at least the impact window. */
    decisionFactsRetention: duration().default(30 * 24 * 3600),
    /** Role that may change things in the console. */
    adminRole: role.default('admin'),
    /** Read-only role: sees audit and sessions, changes nothing. */
    auditorRole: role.default('auditor'),
  })
  .strict();

export type AdminConfig = z.output<typeof adminConfigSchema>;
