// Durations in config are "90s", "15m", "8h", "7d" or a bare number of seconds.
import { z } from 'zod';

const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export function parseDurationSeconds(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(input);
  if (!m) return undefined;
  return Number(m[1]) * (units[m[2] ?? 's'] ?? 1);
}

/** zod type: a duration, normalised to seconds. */
export const duration = (what = 'a duration like "90s", "15m", "8h"') =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const s = parseDurationSeconds(v);
    if (s === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}` });
      return z.NEVER;
    }
    return s;
  });
