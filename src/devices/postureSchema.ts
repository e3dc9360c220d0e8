// The shapes of signed enrolment and posture payloads (what the agent signs).
import { z } from 'zod';
import { POSTURE_SIGNALS } from '../config/index.js';

const text = (max: number) => z.string().min(1).max(max);

export const signalSchema = z
  .object({
    value: z.union([z.string().max(256), z.number().finite(), z.boolean(), z.null()]),
    status: z.enum(['ok', 'unknown', 'unsupported']),
    // Free text naming how the value was read (the agent lists every probe it tried).
    source: z.string().max(512),
  })
  .strict();

/** Only the signal names of the contract; an unknown name is refused. */
export const signalsSchema = z.strictObject(
  Object.fromEntries(POSTURE_SIGNALS.map((s) => [s, signalSchema.optional()])) as Record<(typeof POSTURE_SIGNALS)[number], z.ZodOptional<typeof signalSchema>>,
);
export type PostureSignals = z.output<typeof signalsSchema>;

export const posturePayloadSchema = z
  .object({
    deviceId: text(256),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    collectedAt: z.number().int().nonnegative(),
    agentVersion: text(64),
    signals: signalsSchema,
  })
  .strict();
export type PosturePayload = z.output<typeof posturePayloadSchema>;

export const enrolmentPayloadSchema = z
  .object({
    facts: z
      .object({
        hostname: text(253),
        os: text(128),
        machineId: text(128),
      })
      .strict(),
    name: text(64).optional(),
    iat: z.number().int(),
  })
  .strict();
export type EnrolmentPayload = z.output<typeof enrolmentPayloadSchema>;

/** `{ "jws": "<compact>" }`: three base64url parts. */
export const jwsBodySchema = z.object({ jws: z.string().max(64 * 1024).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/) }).strict();
