// The Cedar view of a device: Radgate::Device with its owner, and the context.device record.
import type { DecisionContext, EntityDescription } from '../policy/index.js';
import type { DeviceRow } from '../store/index.js';
import type { Tier } from './computeTier.js';

export function deviceEntity(id: string, ownerUserId: string): EntityDescription {
  return { uid: { type: 'Radgate::Device', id }, attrs: { owner: { type: 'Radgate::User', id: ownerUserId } } };
}

export interface PostureState {
  tier: Tier | 'untrusted';
  stale: boolean;
  /** Undefined when the device never reported. */
  postureAgeSeconds: number | undefined;
}

/** Pure: a device without a report, or with an unknown tier, is stale and untrusted. */
export function postureState(device: Pick<DeviceRow, 'tier' | 'postureAt'>, now: number, maxAgeSeconds: number): PostureState {
  const tier = isTier(device.tier) ? device.tier : 'untrusted';
  if (device.postureAt === null) return { tier: 'untrusted', stale: true, postureAgeSeconds: undefined };
  const age = Math.max(0, Math.floor((now - device.postureAt) / 1000));
  return { tier, stale: age > maxAgeSeconds, postureAgeSeconds: age };
}

export function deviceContext(id: string, p: PostureState): NonNullable<DecisionContext['device']> {
  const d: NonNullable<DecisionContext['device']> = { id, managed: true, tier: p.tier, stale: p.stale };
  if (p.postureAgeSeconds !== undefined) d.postureAgeSeconds = p.postureAgeSeconds;
  return d;
}

const isTier = (t: string | null): t is Tier => t === 'high' || t === 'standard' || t === 'low' || t === 'untrusted';
