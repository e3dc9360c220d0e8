// The FHIR exporter: audit chain (its own export cursor, via createAuditExporter) -> FHIR R4
// AuditEvents (IHE BALP) -> a FHIR server (transaction Bundles POSTed to its base URL) or
// an NDJSON file (appended and fsynced). The cursor moves only after the server accepted
// every entry or the file was synced: at least once, the audit seq in each resource marks
// duplicates.
import { randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { AuditRow, Store } from '../../store/index.js';
import type { OpenedAuditLog } from '../openAuditLog.js';
import { createAuditExporter, type AuditExporter, type ExportSink } from './createAuditExporter.js';
import { toFhirAuditEvents, type FhirAuditEvent, type FhirSource } from './toFhirAuditEvents.js';

export type FhirTarget =
  | { kind: 'ndjson'; file: string }
  | { kind: 'http'; endpoint: string; ca?: string | Buffer; bearerToken?: string; timeoutMs?: number };

export interface FhirProblem {
  kind: 'endpoint-unreachable' | 'endpoint-untrusted' | 'endpoint-rejected' | 'file-error';
  message: string;
}

export interface FhirExporterOptions {
  store: Pick<Store, 'audit' | 'monitoring'>;
  audit?: Pick<OpenedAuditLog, 'onCommit'>;
  source: FhirSource;
  target: FhirTarget;
  /** Cursor name in export_cursors (default "fhir"). */
  name?: string;
  /** Resources per Bundle. */
  batch?: number;
  pollMs?: number;
  startAt?: 'beginning' | 'head';
  /** Told once per failure episode, and when delivery recovers. */
  onProblem?: (p: FhirProblem) => void;
  onRecovered?: () => void;
  /** Told of every batch of resources accepted (metrics). */
  onDelivered?: (resources: number) => void;
  onError?: (err: unknown) => void;
}

export interface FhirExporter {
  readonly exporter: AuditExporter;
  status(): { cursor: number; resources: number; failing: boolean };
  close(): Promise<void>;
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|SIGNATURE|EXPIRED|ISSUER/;
const MAX_RESPONSE = 4 << 20;

class DeliveryError extends Error {
  constructor(readonly problem: FhirProblem) {
    super(problem.message);
  }
}

export async function createFhirExporter(o: FhirExporterOptions): Promise<FhirExporter> {
  const batch = o.batch ?? 100;
  let failing: FhirProblem | undefined;
  let resources = 0;
  const write = o.target.kind === 'ndjson' ? ndjsonWriter(o.target.file) : httpWriter(o.target);
  const sink: ExportSink = {
    async deliver(rows: readonly AuditRow[]) {
      const out: FhirAuditEvent[] = [];
      for (const row of rows) out.push(...toFhirAuditEvents(row, o.source));
      try {
        for (let i = 0; i < out.length; i += batch) await write.send(out.slice(i, i + batch));
      } catch (err) {
        const p = err instanceof DeliveryError ? err.problem : { kind: 'endpoint-unreachable' as const, message: (err as Error).message };
        if (failing?.kind !== p.kind) o.onProblem?.(p);
        failing = p;
        throw err;
      }
      resources += out.length;
      if (out.length > 0) o.onDelivered?.(out.length);
      if (failing) {
        failing = undefined;
        o.onRecovered?.();
      }
    },
    close: () => write.close(),
  };
  const exporter = await createAuditExporter({
    name: o.name ?? 'fhir',
    store: o.store,
    sink,
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    ...(o.startAt ? { startAt: o.startAt } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  return {
    exporter,
    status: () => ({ cursor: exporter.cursor(), resources, failing: failing !== undefined }),
    close: () => exporter.close(),
  };
}

interface Writer {
  send(resources: FhirAuditEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** FHIR bulk-data NDJSON: one resource per line, appended and fsynced before the cursor moves. */
function ndjsonWriter(file: string): Writer {
  let fh: FileHandle | undefined;
  return {
    async send(resources) {
      try {
        fh ??= await open(file, 'a', 0o600);
        await fh.write(resources.map((r) => JSON.stringify(r)).join('\n') + '\n');
        await fh.datasync();
      } catch (err) {
        await fh?.close().catch(() => undefined);
        fh = undefined;
        throw new DeliveryError({ kind: 'file-error', message: `FHIR NDJSON ${file}: ${(err as Error).message}` });
      }
    },
    async close() {
      await fh?.close();
      fh = undefined;
    },
  };
}

/** A transaction Bundle per batch (all or nothing), each entry a POST of one AuditEvent. */
function httpWriter(t: Extract<FhirTarget, { kind: 'http' }>): Writer {
  const url = new URL(t.endpoint);
  const https = url.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1, minVersion: 'TLSv1.2', ...(t.ca ? { ca: t.ca } : {}) }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const where = `FHIR endpoint ${url.origin}${url.pathname}`;
  return {
    async send(resources) {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: resources.map((r) => ({ fullUrl: `urn:uuid:${randomUUID()}`, resource: r, request: { method: 'POST', url: 'AuditEvent' } })),
      };
      const body = Buffer.from(JSON.stringify(bundle), 'utf8');
      const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = (https ? httpsRequest : httpRequest)(url, {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/fhir+json; charset=utf-8',
            accept: 'application/fhir+json',
            'content-length': body.length,
            ...(t.bearerToken ? { authorization: `Bearer ${t.bearerToken}` } : {}),
          },
          timeout: t.timeoutMs ?? 15_000,
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
        req.on('error', (err) => {
          const code = String((err as { code?: unknown }).code ?? '');
          reject(new DeliveryError({ kind: CERT_CODES.test(code) ? 'endpoint-untrusted' : 'endpoint-unreachable', message: `${where}: ${err.message}` }));
        });
        req.on('response', (r) => {
          const chunks: Buffer[] = [];
          let n = 0;
          r.on('data', (c: Buffer) => {
            n += c.length;
            if (n <= MAX_RESPONSE) chunks.push(c);
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          r.on('error', reject);
        });
        req.end(body);
      });
      if (res.status < 200 || res.status > 299) {
        throw new DeliveryError({ kind: 'endpoint-rejected', message: `${where}: HTTP ${res.status}${outcomeText(res.text)}` });
      }
      // A transaction answers 200 with one entry per request; each must say 201 (or 200).
      let reply: { entry?: { response?: { status?: unknown } }[] } | undefined;
      try {
        reply = JSON.parse(res.text) as typeof reply;
      } catch {
        reply = undefined;
      }
      const statuses = reply?.entry?.map((e) => String(e.response?.status ?? '')) ?? [];
      if (statuses.length !== resources.length || !statuses.every((s) => /^20[01]\b/.test(s))) {
        throw new DeliveryError({ kind: 'endpoint-rejected', message: `${where}: the transaction response does not confirm all ${resources.length} entries` });
      }
    },
    async close() {
      agent.destroy();
    },
  };
}

/** The first OperationOutcome issue's text, bounded (never the whole body in logs). */
function outcomeText(text: string): string {
  try {
    const j = JSON.parse(text) as { resourceType?: string; issue?: { diagnostics?: unknown; details?: { text?: unknown } }[] };
    const i = j.resourceType === 'OperationOutcome' ? j.issue?.[0] : undefined;
    const s = i ? String(i.diagnostics ?? i.details?.text ?? '') : '';
    return s ? `: ${s.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
