// Study-level facts policy may use (department, institution), read from the PACS itself
// with a QIDO query and kept in a bounded, short-TTL cache. Misses are batched into one
// query per up to 50 studies (UID list matching, PS3.18 8.3.4.1); concurrent lookups of
// the same study share one fetch. A PACS that cannot answer makes the lookup fail (the
// caller then refuses: fail closed).
import { request, type Agent } from 'node:http';

export interface StudyFacts {
  /** InstitutionalDepartmentName (0008,1040), lower-cased; absent when the PACS has none. */
  department?: string;
  /** InstitutionName (0008,0080). */
  institution?: string;
  /** PatientID (0010,0020), for the audit trail (ATNA/FHIR participant objects). */
  patientId?: string;
}

export interface StudyDirectoryOptions {
  agent: Agent;
  /** `http://host:port` of the PACS. */
  upstream: string;
  /** The PACS's DICOMweb prefix, e.g. `/dicom-web`. */
  upstreamRoot: string;
  authorization: string;
  ttlMs?: number;
  maxEntries?: number;
  timeoutMs?: number;
  clock?: () => number;
}

export interface StudyDirectory {
  /** Facts per study; `null` when the PACS does not know the study. */
  lookup(uids: readonly string[]): Promise<Map<string, StudyFacts | null>>;
  /** Records facts already seen (e.g. in a QIDO response). */
  remember(uid: string, facts: StudyFacts): void;
  readonly size: number;
}

const BATCH = 50;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export function createStudyDirectory(o: StudyDirectoryOptions): StudyDirectory {
  const ttlMs = o.ttlMs ?? 30_000;
  const maxEntries = o.maxEntries ?? 10_000;
  const clock = o.clock ?? Date.now;
  // Map keeps insertion order: the first key is the oldest (evicted first).
  const cache = new Map<string, { facts: StudyFacts | null; at: number }>();
  const pending = new Map<string, Promise<StudyFacts | null>>();

  const put = (uid: string, facts: StudyFacts | null) => {
    cache.delete(uid);
    cache.set(uid, { facts, at: clock() });
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  };

  async function fetchBatch(uids: string[]): Promise<Map<string, StudyFacts>> {
    const qs = new URLSearchParams({ StudyInstanceUID: uids.join(',') });
    qs.append('includefield', '00081040');
    qs.append('includefield', '00080080');
    qs.append('includefield', '00100020');
    qs.set('limit', String(uids.length));
    const body = await getJson(o, `${o.upstreamRoot.replace(/\/$/, '')}/studies?${qs.toString()}`);
    const out = new Map<string, StudyFacts>();
    if (!Array.isArray(body)) throw new Error('PACS answered QIDO with something other than a JSON array');
    for (const item of body) {
      const f = studyFactsOf(item);
      if (f) out.set(f.uid, f.facts);
    }
    return out;
  }

  return {
    async lookup(uids) {
      const now = clock();
      const result = new Map<string, StudyFacts | null>();
      const waits: Promise<void>[] = [];
      const missing: string[] = [];
      for (const uid of new Set(uids)) {
        const hit = cache.get(uid);
        if (hit && now - hit.at < ttlMs) {
          result.set(uid, hit.facts);
          continue;
        }
        const p = pending.get(uid);
        if (p) waits.push(p.then((f) => void result.set(uid, f)));
        else missing.push(uid);
      }
      for (let i = 0; i < missing.length; i += BATCH) {
        const batch = missing.slice(i, i + BATCH);
        const fetched = fetchBatch(batch);
        for (const uid of batch) {
          const p = fetched.then((m) => {
            const f = m.get(uid) ?? null;
            put(uid, f);
            return f;
          });
          p.catch(() => undefined).finally(() => pending.delete(uid));
          pending.set(uid, p);
          waits.push(p.then((f) => void result.set(uid, f)));
        }
      }
      await Promise.all(waits);
      return result;
    },
    remember: (uid, facts) => put(uid, facts),
    get size() {
      return cache.size;
    },
  };
}

/** The study UID and facts of one QIDO (DICOM JSON) study object; undefined when it has no UID. */
export function studyFactsOf(item: unknown): { uid: string; facts: StudyFacts } | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const rec = item as Record<string, { Value?: unknown[] } | undefined>;
  const uid = firstString(rec['0020000D']);
  if (!uid) return undefined;
  const facts: StudyFacts = {};
  const dept = firstString(rec['00081040']);
  if (dept) facts.department = dept.trim().toLowerCase();
  const inst = firstString(rec['00080080']);
  if (inst) facts.institution = inst.trim();
  const patient = firstString(rec['00100020']);
  if (patient) facts.patientId = patient;
  return { uid, facts };
}

function firstString(attr: { Value?: unknown[] } | undefined): string | undefined {
  const v = attr?.Value?.[0];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function getJson(o: StudyDirectoryOptions, path: string): Promise<unknown> {
  const base = new URL(o.upstream);
  return new Promise((resolve, reject) => {
    const req = request(
      { protocol: base.protocol, hostname: base.hostname, port: base.port, path, agent: o.agent, headers: { accept: 'application/dicom+json', authorization: o.authorization }, timeout: o.timeoutMs ?? 5000 },
      (res) => {
        if (res.statusCode === 204) {
          res.resume();
          return resolve([]);
        }
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`PACS answered study lookup with ${res.statusCode}`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) res.destroy(new Error('study lookup response too large'));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
          } catch {
            reject(new Error('PACS answered study lookup with invalid JSON'));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('study lookup timed out')));
    req.on('error', reject);
    req.end();
  });
}
