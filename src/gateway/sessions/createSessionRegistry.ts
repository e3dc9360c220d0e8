// The live-session registry shared by every gateway: each open connection registers who
// and what it depends on; answer-changing events re-evaluate and cut the affected ones.
import type { AuditLog } from '../../audit/index.js';
import type { EventBus, RadgateEvent } from '../../events/index.js';

export type GatewayKind = 'http' | 'dicom' | 'tunnel';

export interface LiveSessionInit {
  gateway: GatewayKind;
  userId: string;
  deviceId: string | null;
  /** Client certificate serial (upper-case hex), when the connection presented one. */
  serial: string | null;
  loginSessionId: string | null;
  grantId: string | null;
  /** What the connection reaches (target name, study, AE). */
  target: string;
  /** Re-decides the connection under current policy and facts; anything but allow cuts it. */
  recheck?: () => Promise<boolean> | boolean;
  /** Destroys the connection's sockets; called once. */
  close: (reason: string) => void;
}

export interface LiveSession extends Readonly<Omit<LiveSessionInit, 'recheck' | 'close'>> {
  readonly id: string;
  readonly startedAt: number;
  bytesIn: number;
  bytesOut: number;
}

export interface SessionRegistry {
  /** Registers an open connection; the returned function unregisters it (normal close). */
  register(init: LiveSessionInit): { session: LiveSession; unregister: () => void };
  list(): LiveSession[];
  get(id: string): LiveSession | undefined;
  /** Cuts the connections matching `match`, auditing `cause`; returns how many. */
  cut(match: (s: LiveSession) => boolean, cause: string): Promise<number>;
  /** Re-runs every connection's recheck (policy activation) and cuts the denied. */
  recheckAll(cause: string): Promise<number>;
  readonly size: number;
  close(): void;
}

export interface SessionRegistryDeps {
  bus: Pick<EventBus, 'on'>;
  audit: Pick<AuditLog, 'append'>;
  now?: () => number;
}

interface Entry {
  session: LiveSession;
  init: LiveSessionInit;
  closed: boolean;
}

export function createSessionRegistry(deps: SessionRegistryDeps): SessionRegistry {
  const now = deps.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let counter = 0;

  const terminate = async (entry: Entry, cause: string) => {
    if (entry.closed) return;
    entry.closed = true;
    entries.delete(entry.session.id);
    try {
      entry.init.close(cause);
    } finally {
      const s = entry.session;
      await deps.audit.append({
        type: 'gateway.session.cut',
        actor: `Radgate::User::${JSON.stringify(s.userId)}`,
        outcome: 'deny',
        detail: { liveSession: s.id, gateway: s.gateway, target: s.target, cause, serial: s.serial, deviceId: s.deviceId, grantId: s.grantId, durationMs: now() - s.startedAt, bytesIn: s.bytesIn, bytesOut: s.bytesOut },
      });
    }
  };

  const cut = async (match: (s: LiveSession) => boolean, cause: string) => {
    const hits = [...entries.values()].filter((e) => match(e.session));
    await Promise.all(hits.map((e) => terminate(e, cause)));
    return hits.length;
  };

  const recheckAll = async (cause: string) => {
    let n = 0;
    await Promise.all(
      [...entries.values()].map(async (e) => {
        if (!(await safeRecheck(e))) {
          n++;
          await terminate(e, cause);
        }
      }),
    );
    return n;
  };

  const onEvent = (event: RadgateEvent): Promise<unknown> => {
    switch (event.type) {
      case 'certificate.revoked':
        return cut((s) => s.serial !== null && s.serial.toUpperCase() === event.serial.toUpperCase(), `certificate-revoked:${event.reason}`);
      case 'session.ended':
        return cut((s) => s.loginSessionId === event.sessionId, `login-session-ended:${event.reason}`);
      case 'user.disabled':
        return cut((s) => s.userId === event.userId, 'user-disabled');
      case 'device.revoked':
        return cut((s) => s.deviceId === event.deviceId, 'device-revoked');
      case 'grant.ended':
        return cut((s) => s.grantId === event.grantId, `grant-ended:${event.reason}`);
      case 'device.posture': {
        const affected = [...entries.values()].filter((e) => e.session.deviceId === event.deviceId);
        if (event.tier === 'untrusted') return cut((s) => s.deviceId === event.deviceId, 'posture-untrusted');
        return Promise.all(affected.map(async (e) => ((await safeRecheck(e)) ? undefined : terminate(e, `posture-${event.tier}`))));
      }
      case 'policy.activated':
        return recheckAll(`policy-activated:${event.version}`);
      case 'entities.changed':
        return recheckAll(`entities-changed:${event.what}`);
    }
  };

  const unsubscribe = [
    'certificate.revoked',
    'session.ended',
    'user.disabled',
    'device.revoked',
    'grant.ended',
    'device.posture',
    'policy.activated',
    'entities.changed',
  ].map((t) => deps.bus.on(t as RadgateEvent['type'], onEvent as never));

  return {
    register(init) {
      const session: LiveSession = {
        id: `ls-${(++counter).toString(36)}-${now().toString(36)}`,
        gateway: init.gateway,
        userId: init.userId,
        deviceId: init.deviceId,
        serial: init.serial,
        loginSessionId: init.loginSessionId,
        grantId: init.grantId,
        target: init.target,
        startedAt: now(),
        bytesIn: 0,
        bytesOut: 0,
      };
      const entry: Entry = { session, init, closed: false };
      entries.set(session.id, entry);
      return {
        session,
        unregister: () => {
          entry.closed = true;
          entries.delete(session.id);
        },
      };
    },
    list: () => [...entries.values()].map((e) => e.session),
    get: (id) => entries.get(id)?.session,
    cut,
    recheckAll,
    get size() {
      return entries.size;
    },
    close() {
      for (const off of unsubscribe) off();
    },
  };
}

/** A recheck that throws counts as a deny (fail closed). */
async function safeRecheck(e: Entry): Promise<boolean> {
  try {
    return e.init.recheck ? (await e.init.recheck()) === true : true;
  } catch {
    return false;
  }
}
