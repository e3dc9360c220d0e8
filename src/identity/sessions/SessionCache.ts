// The warm cache of the session hot path: token hash -> session, user and principal for a
// few seconds. It is only a cache: every entry can be rebuilt from the store, entries die
// after `ttlMs`, and session-end / user-disable events (from any replica) drop them.
import type { EntityDescription } from '../../policy/index.js';
import type { SessionInfo, User } from '../types.js';

export interface CachedSession {
  session: SessionInfo;
  user: User;
  principal: EntityDescription;
  /** When this entry was loaded from the store, epoch ms. */
  loadedAt: number;
}

export class SessionCache {
  private readonly byHash = new Map<string, CachedSession>();
  private readonly hashBySession = new Map<string, string>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.byHash.size;
  }

  get(tokenHash: string, now: number): CachedSession | undefined {
    const e = this.byHash.get(tokenHash);
    if (e === undefined) return undefined;
    if (now - e.loadedAt >= this.ttlMs || now < e.loadedAt) {
      this.delete(tokenHash);
      return undefined;
    }
    return e;
  }

  set(tokenHash: string, entry: CachedSession): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    if (!this.byHash.has(tokenHash) && this.byHash.size >= this.maxEntries) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    this.byHash.set(tokenHash, entry);
    this.hashBySession.set(entry.session.id, tokenHash);
  }

  /** Replaces the session of a live entry in place (lastSeenAt moved); keeps loadedAt. */
  replaceSession(tokenHash: string, session: SessionInfo): void {
    const e = this.byHash.get(tokenHash);
    if (e !== undefined) this.byHash.set(tokenHash, { ...e, session });
  }

  delete(tokenHash: string): void {
    const e = this.byHash.get(tokenHash);
    if (e === undefined) return;
    this.byHash.delete(tokenHash);
    if (this.hashBySession.get(e.session.id) === tokenHash) this.hashBySession.delete(e.session.id);
  }

  dropSession(sessionId: string): void {
    const h = this.hashBySession.get(sessionId);
    if (h !== undefined) this.delete(h);
  }

  dropUser(userId: string): void {
    for (const [h, e] of this.byHash) if (e.user.id === userId) this.delete(h);
  }

  clear(): void {
    this.byHash.clear();
    this.hashBySession.clear();
  }
}
