// Revocation wiring: a session ending (logout, back-channel logout), a user disabled or a
// device revoked revokes the matching live certificates. revokeWhere only returns (and
// the CA only announces) certificates it newly revoked, so a repeated event emits nothing.
import type { Ca } from '../ca/index.js';
import type { EventBus } from '../events/index.js';

export interface RevocationWiring {
  bus: Pick<EventBus, 'on'>;
  ca: Pick<Ca, 'revokeWhere'>;
  /** Accepted for symmetry with the other wiring; certificate rows live behind the CA. */
  store?: unknown;
}

export function wireRevocation({ bus, ca }: RevocationWiring): () => void {
  const offs = [
    bus.on('session.ended', async (e) => void (await ca.revokeWhere({ sessionId: e.sessionId }, 'cessationOfOperation', 'system'))),
    bus.on('user.disabled', async (e) => void (await ca.revokeWhere({ userId: e.userId }, 'privilegeWithdrawn', 'system'))),
    bus.on('device.revoked', async (e) => void (await ca.revokeWhere({ deviceId: e.deviceId }, 'cessationOfOperation', 'system'))),
  ];
  return () => {
    for (const off of offs) off();
  };
}
