// The `webhook` config section: where signed notifications (new access requests,
// approvals, grants, break-glass, emergency rollbacks, alerts) are POSTed.
import { z } from 'zod';
import { duration } from './duration.js';

export const webhookConfigSchema = z
  .object({
    /** Receiver URL; unset disables notifications. https, or http on loopback only. */
    url: z.url({ error: 'expected a URL' }).optional(),
    /** HMAC-SHA256 key (prefer RADGATE_WEBHOOK__SECRET); at least 32 characters. */
    secret: z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
    timeout: duration().default(5),
    /** Delivery attempts per notification (exponential backoff). */
    attempts: z.number().int().min(1).max(10).default(3),
  })
  .strict()
  .refine((w) => !w.url || w.secret, { error: 'webhook.secret: required when webhook.url is set' });
