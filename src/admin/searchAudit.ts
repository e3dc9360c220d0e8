// Runs a validated audit query: time range -> seq range (primary key), one bounded page
// newest first with a cursor, or a JSONL stream for export (bounded too).
import type { AuditRow, AuditSearchRepo } from '../store/index.js';
import { toSearch, type AuditQueryInput } from './auditQuery.js';

export const EXPORT_MAX_ROWS = 100_000;

async function seqRange(repo: AuditSearchRepo, q: AuditQueryInput): Promise<[number, number]> {
  const from = await repo.seqAtOrAfter(q.since);
  const to = (await repo.seqAtOrAfter(q.until)) - 1;
  return [from, to];
}

export async function searchAudit(repo: AuditSearchRepo, q: AuditQueryInput): Promise<{ rows: AuditRow[]; next: number | undefined }> {
  const [from, to] = await seqRange(repo, q);
  if (to < from) return { rows: [], next: undefined };
  const rows = await repo.search(toSearch(q, from, to, q.limit + 1));
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return { rows: page, next: more ? page[page.length - 1]!.seq : undefined };
}

/** JSON lines of every matching event (oldest last, as searched), at most EXPORT_MAX_ROWS. */
export function exportJsonl(repo: AuditSearchRepo, q: AuditQueryInput): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let before = q.before;
  let sent = 0;
  let range: [number, number] | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      range ??= await seqRange(repo, q);
      if (range[1] < range[0] || sent >= EXPORT_MAX_ROWS) return controller.close();
      const rows = await repo.search(toSearch({ ...q, ...(before ? { before } : {}) }, range[0], range[1], 1000));
      if (rows.length === 0) return controller.close();
      const take = rows.slice(0, EXPORT_MAX_ROWS - sent);
      sent += take.length;
      before = take[take.length - 1]!.seq;
      controller.enqueue(enc.encode(take.map((r) => JSON.stringify({ ...r, detail: JSON.parse(r.detail) as unknown })).join('\n') + '\n'));
    },
  });
}
