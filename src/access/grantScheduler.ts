// Ends grants on time: one timer per active grant fires at its end (so tunnels close
// within a second of it), and a periodic sweep catches anything a timer missed (grants
// written by another replica, a process that slept) and expires undecided requests.
import type { AccessDeps } from './accessDeps.js';

export interface GrantScheduler {
  /** Loads active grants and starts the sweep. */
  start(): Promise<void>;
  /** (Re)schedules one grant after it was created or changed. */
  track(grantId: string): void;
  /** Runs one sweep now (tests, start-up). */
  sweep(): Promise<void>;
  close(): void;
}

/** setTimeout's longest delay (~24.8 days); longer waits re-arm. */
const MAX_DELAY = 2 ** 31 - 1;

export function createGrantScheduler(deps: Pick<AccessDeps, 'store' | 'bus' | 'audit' | 'clock' | 'notifier' | 'access'> & { sweepIntervalMs?: number; onError?: (err: unknown) => void }): GrantScheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  let sweeper: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();
  const fail = (err: unknown) => deps.onError?.(err);

  const arm = (id: string, endAt: number) => {
    clear(id);
    if (closed) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, endAt - deps.clock()));
    const t = setTimeout(() => {
      timers.delete(id);
      if (endAt - deps.clock() > 0) return arm(id, endAt);
      void sweep();
    }, delay);
    t.unref();
    timers.set(id, t);
  };
  const clear = (id: string) => {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    timers.delete(id);
  };

  // Sweeps run one at a time; each ends every grant already due.
  const sweep = (): Promise<void> => {
    running = running.then(async () => {
      if (closed) return;
      try {
        const now = deps.clock();
        const ended = await deps.store.access.endExpiredGrants(now);
        for (const g of ended) {
          clear(g.id);
          deps.bus.emit({ type: 'grant.ended', grantId: g.id, reason: 'expired' });
        }
        for (const g of ended) {
          await deps.audit.append({ type: 'grant.expire', actor: 'system', outcome: 'success', detail: { grantId: g.id, user: g.userId, target: g.target, endAt: g.endAt, breakGlass: g.breakGlass } });
          void deps.notifier.send({ type: 'grant.ended', grantId: g.id, user: g.userId, target: g.target, reason: 'expired' });
        }
        const expired = await deps.store.access.expirePending(now, deps.access.pendingTtl * 1000);
        for (const id of expired) await deps.audit.append({ type: 'access.request.expire', actor: 'system', outcome: 'success', detail: { requestId: id } });
      } catch (err) {
        fail(err);
      }
    });
    return running;
  };

  return {
    async start() {
      for (const g of await deps.store.access.activeGrants(deps.clock())) arm(g.id, g.endAt);
      await sweep();
      sweeper = setInterval(() => void sweep(), deps.sweepIntervalMs ?? 30_000);
      sweeper.unref();
    },
    track(grantId) {
      void deps.store.access.getGrant(grantId).then((g) => {
        if (!g || g.state !== 'active') return clear(grantId);
        arm(g.id, g.endAt);
      }, fail);
    },
    sweep,
    close() {
      closed = true;
      if (sweeper) clearInterval(sweeper);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
