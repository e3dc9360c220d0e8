// The one event bus for answer-changing events. Handlers run asynchronously, never
// inside emit, so a PostgreSQL LISTEN/NOTIFY backend can replace this one unchanged.

export type RadgateEvent =
  | { type: 'certificate.revoked'; serial: string; reason: string }
  | { type: 'policy.activated'; version: string }
  | { type: 'session.ended'; sessionId: string; userId: string; reason: string }
  | { type: 'user.disabled'; userId: string }
  | { type: 'device.revoked'; deviceId: string }
  | { type: 'device.posture'; deviceId: string; tier: string }
  | { type: 'grant.ended'; grantId: string; reason: string }
  | { type: 'entities.changed'; what: string };

export type RadgateEventType = RadgateEvent['type'];
export type EventHandler<T extends RadgateEventType = RadgateEventType> = (
  event: Extract<RadgateEvent, { type: T }>,
) => void | Promise<void>;

export interface EventBus {
  emit(event: RadgateEvent): void;
  on<T extends RadgateEventType>(type: T, handler: EventHandler<T>): () => void;
  onAny(handler: (event: RadgateEvent) => void | Promise<void>): () => void;
  /** Resolves once every event emitted so far has been handled (tests, shutdown). */
  drain(): Promise<void>;
}

export function createInProcessBus(onError: (err: unknown, event: RadgateEvent) => void): EventBus {
  const handlers = new Map<string, Set<(e: RadgateEvent) => void | Promise<void>>>();
  const any = new Set<(e: RadgateEvent) => void | Promise<void>>();
  let pending: Promise<void> = Promise.resolve();

  const add = (key: string, fn: (e: RadgateEvent) => void | Promise<void>) => {
    let set = handlers.get(key);
    if (!set) handlers.set(key, (set = new Set()));
    set.add(fn);
    return () => void set.delete(fn);
  };

  return {
    emit(event) {
      const targets = [...(handlers.get(event.type) ?? []), ...any];
      pending = pending.then(async () => {
        for (const fn of targets) {
          try {
            await fn(event);
          } catch (err) {
            onError(err, event);
          }
        }
      });
    },
    on(type, handler) {
      return add(type, handler as (e: RadgateEvent) => void | Promise<void>);
    },
    onAny(handler) {
      any.add(handler);
      return () => void any.delete(handler);
    },
    drain() {
      return pending;
    },
  };
}
