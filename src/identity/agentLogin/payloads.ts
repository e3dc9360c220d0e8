// JSON payloads of the agent login's challenge rows. Parsed defensively: a row that
// does not parse is treated as absent.
import type { DeviceRequestOrigin } from './types.js';

export interface LoopbackCodePayload {
  redirectUri: string;
  codeChallenge: string;
}

export type DeviceCodeState = 'pending' | 'approved' | 'denied';

export interface DeviceCodePayload {
  state: DeviceCodeState;
  /** Current polling interval, seconds (grows with slow_down). */
  interval: number;
  /** Epoch ms of the last poll, null before the first one. */
  lastPollAt: number | null;
  userCodeHash: string;
  requestedFrom?: DeviceRequestOrigin;
  /** Set on approval. */
  userId?: string;
  parentSessionId?: string;
}

export interface UserCodePayload {
  deviceCodeHash: string;
}

export function parsePayload<T>(json: string, check: (v: Record<string, unknown>) => boolean): T | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && check(v as Record<string, unknown>) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

export const isLoopbackCodePayload = (v: Record<string, unknown>) => typeof v.redirectUri === 'string' && typeof v.codeChallenge === 'string';
export const isDeviceCodePayload = (v: Record<string, unknown>) =>
  (v.state === 'pending' || v.state === 'approved' || v.state === 'denied') &&
  typeof v.interval === 'number' &&
  (v.lastPollAt === null || typeof v.lastPollAt === 'number') &&
  typeof v.userCodeHash === 'string';
export const isUserCodePayload = (v: Record<string, unknown>) => typeof v.deviceCodeHash === 'string';
