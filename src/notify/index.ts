// Signed outbound notifications (webhook).
export { createNotifier, signWebhook, verifyWebhook } from './webhook.js';
export type { Notifier, WebhookEvent, WebhookOptions, WebhookVerdict } from './webhook.js';
