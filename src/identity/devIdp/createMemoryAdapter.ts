// Storage for one dev IdP instance: in memory, per instance, with expiry. The dev IdP is
// throw-away by design (a restart signs everyone out of it), so nothing is persisted.

interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number;
}

export type AdapterClass = new (model: string) => {
  upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Record<string, unknown> | undefined>;
  findByUid(uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
};

const MAX_ENTRIES = 10_000;

export function createMemoryAdapter(now: () => number = Date.now): AdapterClass {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
      if (entries.size >= MAX_ENTRIES) for (const k of entries.keys()) if (!live(k)) entries.delete(k);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(this.key(id), { payload: { ...payload }, expiresAt: expiresIn ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
    }

    async find(id: string): Promise<Record<string, unknown> | undefined> {
      return live(this.key(id))?.payload;
    }

    async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
      for (const [key] of entries) {
        const e = key.startsWith(`${this.model}:`) ? live(key) : undefined;
        if (e?.payload.uid === uid) return e.payload;
      }
      return undefined;
    }

    async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
      for (const [key] of entries) {
        const e = key.startsWith(`${this.model}:`) ? live(key) : undefined;
        if (e?.payload.userCode === userCode) return e.payload;
      }
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const e = live(this.key(id));
      if (e) e.payload.consumed = Math.floor(now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      entries.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, e] of entries) if (e.payload.grantId === grantId) entries.delete(key);
    }
  };
}
