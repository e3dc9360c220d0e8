// FHIR AuditEvent export end to end: a test FHIR receiver (node:http/https) that validates
// every resource against the FHIR R4 AuditEvent schema and stores it; delivery in order,
// surviving a receiver outage plus a broker restart with nothing lost; a receiver that
// rejects (nothing skipped); an https receiver with an untrusted certificate (refused);
// NDJSON output; the broker wiring; and the config refusals.
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFhirExporter, type FhirExporterOptions, type FhirProblem } from '../../../src/audit/export/createFhirExporter.js';
import type { OpenedAuditLog } from '../../../src/audit/index.js';
import { startBroker } from '../../../src/server.js';
import { freePort } from '../../helpers/ports.js';
import { testConfig, tmpHome } from '../../helpers/tmpHome.js';
import { openLog, testEnv, type TestEnv } from '../helpers.js';
import { validateFhirAuditEvent, type SchemaError } from './fhirJsonSchema.js';
import { makePki, waitFor } from './helpers.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dir = tmpHome('radgate-fhir-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Receiver {
  url: string;
  stored: J[];
  invalid: { errors: SchemaError[] }[];
  mode: 'ok' | 'reject';
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** A FHIR server stand-in: accepts transaction Bundles of AuditEvents, validating each one. */
async function startReceiver(tls?: { cert: Buffer; key: Buffer }): Promise<Receiver> {
  const r: Receiver = { url: '', stored: [], invalid: [], mode: 'ok', stop: async () => undefined, restart: async () => undefined };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const outcome = (status: number, diagnostics: string) => {
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics }] }));
      };
      if (req.method !== 'POST' || req.url !== '/fhir') return outcome(404, `no ${req.method} ${req.url}`);
      if (!/^application\/fhir\+json/.test(req.headers['content-type'] ?? '')) return outcome(415, 'expected application/fhir+json');
      if (r.mode === 'reject') return outcome(400, 'rejected by the test');
      let bundle: J;
      try {
        bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as J;
      } catch {
        return outcome(400, 'not JSON');
      }
      if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction' || !Array.isArray(bundle.entry)) return outcome(400, 'expected a transaction Bundle');
      for (const e of bundle.entry as J[]) {
        const errors = validateFhirAuditEvent(e.resource);
        if (errors.length > 0 || e.request?.method !== 'POST' || e.request?.url !== 'AuditEvent') {
          r.invalid.push({ errors });
          return outcome(400, `invalid AuditEvent: ${JSON.stringify(errors.slice(0, 3))}`);
        }
      }
      const first = r.stored.length;
      r.stored.push(...(bundle.entry as J[]).map((e) => e.resource as J));
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: (bundle.entry as J[]).map((_e, i) => ({ response: { status: '201 Created', location: `AuditEvent/${first + i + 1}/_history/1` } })) }));
    });
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handle) : createHttpServer(handle);
  const port = await freePort();
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen();
  r.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  r.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  r.restart = listen;
  return r;
}

const retrieve = (i: number) => ({
  type: 'gateway.http.request',
  actor: `Radgate::User::"u${i % 3}"`,
  outcome: 'success' as const,
  detail: { target: 'pacs-rad', action: 'dicomweb.retrieve', study: `1.2.826.0.1.${i}`, patientId: `P${i}`, patientIds: [`P${i}`, `Q${i}`], source: '10.1.1.5', deviceId: 'd1', bytes: 1000 + i },
});

const SOURCE = { sourceId: 'radgate.test' };
const seqOf = (r: J): number => Number((r.entity as J[]).find((e) => e.what?.identifier?.system === 'urn:radgate:audit-seq')!.what.identifier.value);

function options(env: TestEnv, log: OpenedAuditLog, target: FhirExporterOptions['target'], extra: Partial<FhirExporterOptions> = {}): FhirExporterOptions {
  return { store: env.store, audit: log, source: SOURCE, target, pollMs: 100, batch: 16, ...extra };
}

describe('FHIR AuditEvent export', () => {
  it('POSTs schema-valid BALP AuditEvents in order, one per patient; survives a receiver outage and a broker restart with none lost', async () => {
    const recv = await startReceiver();
    let env = await testEnv();
    try {
      let log = await openLog(env);
      const problems: FhirProblem['kind'][] = [];
      let ex = await createFhirExporter(options(env, log, { kind: 'http', endpoint: recv.url }, { onProblem: (p) => problems.push(p.kind) }));
      for (let i = 0; i < 20; i++) await log.append(retrieve(i));
      // An allowed decision is not exported (the gateway's own record is the access record).
      await log.append({ type: 'decision', actor: 'Radgate::User::"u0"', outcome: 'allow', detail: { action: 'dicomweb.retrieve' } });
      await waitFor(() => recv.stored.length >= 40, 15_000, '40 resources at the receiver');
      expect(recv.invalid).toEqual([]);
      expect(recv.stored.map(seqOf)).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, i + 1]).flat());
      expect(recv.stored.slice(0, 2).map((r) => (r.entity as J[])[0]!.what.identifier.value)).toEqual(['P0', 'Q0']);
      expect(recv.stored[0]!.meta.profile).toEqual(['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead']);

      // Receiver down; events keep coming; then the broker restarts.
      await recv.stop();
      for (let i = 20; i < 50; i++) await log.append(retrieve(i));
      await waitFor(() => problems.includes('endpoint-unreachable'), 10_000, 'an outage report');
      expect(problems.filter((p) => p === 'endpoint-unreachable').length).toBe(1);
      const stalled = ex.status().cursor;
      expect(stalled).toBeLessThanOrEqual(21);
      await ex.close();
      await log.close();
      await env.store.close();
      env.store = await env.reopen();
      log = await openLog(env);
      ex = await createFhirExporter(options(env, log, { kind: 'http', endpoint: recv.url }));
      await recv.restart();
      await waitFor(() => recv.stored.length >= 100, 20_000, 'all 100 resources at the receiver');
      await ex.exporter.drain();
      expect(recv.invalid).toEqual([]);
      const seqs = recv.stored.map(seqOf);
      // In order (at least once: a replayed batch would repeat, never reorder), every event present.
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThanOrEqual(seqs[i - 1]!);
      expect(new Set(seqs)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i + 1).concat(Array.from({ length: 30 }, (_, i) => i + 22))));
      await ex.close();
      await log.close();
    } finally {
      await recv.stop();
      await env.cleanup();
    }
  }, 60_000);

  it('keeps the cursor when the server rejects a Bundle, reports it once, backs off (commits do not trigger retries), and delivers after it recovers', async () => {
    const recv = await startReceiver();
    recv.mode = 'reject';
    const env = await testEnv();
    try {
      const log = await openLog(env);
      const problems: FhirProblem[] = [];
      let recovered = 0;
      let attempts = 0;
      const ex = await createFhirExporter(options(env, log, { kind: 'http', endpoint: recv.url }, { onProblem: (p) => problems.push(p), onRecovered: () => recovered++, onError: () => attempts++ }));
      await log.append(retrieve(0));
      await waitFor(() => problems.length > 0, 10_000, 'a rejection report');
      // 40 commits inside the first back-off: no retry each (0.5 s, then 1 s between attempts).
      for (let i = 1; i < 5; i++) await log.append(retrieve(i));
      for (let i = 0; i < 40; i++) await log.append({ type: 'identity.login', actor: 'Radgate::User::"u"', outcome: 'success', detail: {} });
      expect(attempts).toBeLessThanOrEqual(2);
      expect(problems[0]).toMatchObject({ kind: 'endpoint-rejected' });
      expect(problems[0]!.message).toMatch(/HTTP 400: rejected by the test/);
      expect(ex.status()).toMatchObject({ cursor: 0, failing: true });
      recv.mode = 'ok';
      await waitFor(() => recv.stored.length >= 10 + 40, 15_000, 'delivery after recovery');
      expect(recovered).toBe(1);
      expect(problems.length).toBe(1);
      await ex.close();
      await log.close();
    } finally {
      await recv.stop();
      await env.cleanup();
    }
  }, 30_000);

  it('refuses an https receiver whose certificate another CA signed, and delivers to one the configured CA signed', async () => {
    const pki = makePki(path.join(dir, 'pki'));
    const recv = await startReceiver({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) });
    const env = await testEnv();
    try {
      const log = await openLog(env);
      const problems: FhirProblem[] = [];
      const wrong = await createFhirExporter(options(env, log, { kind: 'http', endpoint: recv.url, ca: readFileSync(pki.otherCaCert) }, { name: 'fhir-wrong', onProblem: (p) => problems.push(p) }));
      await log.append(retrieve(1));
      await waitFor(() => problems.length > 0, 10_000, 'an untrusted-certificate report');
      expect(problems[0]!.kind).toBe('endpoint-untrusted');
      expect(recv.stored).toEqual([]);
      await wrong.close();
      const right = await createFhirExporter(options(env, log, { kind: 'http', endpoint: recv.url, ca: readFileSync(pki.caCert) }, { name: 'fhir-right' }));
      await waitFor(() => recv.stored.length >= 2, 10_000, 'delivery over verified TLS');
      await right.close();
      await log.close();
    } finally {
      await recv.stop();
      await env.cleanup();
    }
  }, 30_000);

  it('appends NDJSON (mode 0600), one valid resource per line, continuing after a restart', async () => {
    let env = await testEnv();
    const file = path.join(env.dir, 'audit.ndjson');
    try {
      let log = await openLog(env);
      let ex = await createFhirExporter(options(env, log, { kind: 'ndjson', file }));
      const hostile = { type: 'gateway.http.request', actor: 'Radgate::User::"x\\"\\n\\u0000"', outcome: 'failure' as const, detail: { reason: '\u0000\u2028"}\n{"resourceType":"Patient"}' + 'z'.repeat(50_000), source: '\u000b', patientId: '\ud800' } };
      await log.append(hostile);
      for (let i = 0; i < 5; i++) await log.append(retrieve(i));
      await ex.exporter.drain();
      await ex.close();
      await log.close();
      await env.store.close();
      env.store = await env.reopen();
      log = await openLog(env);
      ex = await createFhirExporter(options(env, log, { kind: 'ndjson', file }));
      for (let i = 5; i < 8; i++) await log.append(retrieve(i));
      await ex.exporter.drain();
      await ex.close();
      await log.close();
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(1 + 8 * 2);
      const resources = lines.map((l) => JSON.parse(l) as J);
      for (const r of resources) expect(validateFhirAuditEvent(r)).toEqual([]);
      expect(resources.map(seqOf)).toEqual([1, ...Array.from({ length: 8 }, (_, i) => [i + 2, i + 2]).flat()]);
      expect(resources[0]!.outcome).toBe('4');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await env.cleanup();
    }
  }, 30_000);

  it('runs in the broker from config: the broker start-up event arrives at the FHIR endpoint; metrics show the export and its lag', async () => {
    const recv = await startReceiver();
    const home = path.join(dir, 'broker');
    mkdirSync(home);
    const metricsPort = await freePort();
    const broker = await startBroker(
      testConfig(home, { 'listen.control.port': await freePort(), 'monitoring.fhir.enabled': true, 'monitoring.fhir.endpoint': recv.url, 'monitoring.fhir.sourceId': 'rg-test', 'monitoring.metrics.enabled': true, 'monitoring.metrics.listen.port': metricsPort }),
    );
    try {
      const start = await waitFor(() => recv.stored.find((r) => r.type?.code === '110100'), 15_000, 'system.start at the receiver');
      expect(start.subtype[0]).toMatchObject({ code: '110120', display: 'Application Start' });
      expect(start.source.observer.display).toBe('rg-test');
      expect(recv.invalid).toEqual([]);
      expect(broker.exporters.fhir?.status().failing).toBe(false);
      await broker.exporters.fhir!.exporter.drain();
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(text).toMatch(/^radgate_export_records_total\{exporter="fhir"\} [1-9]/m);
      expect(text).toMatch(/^radgate_export_lag_events\{exporter="fhir"\} 0$/m);
    } finally {
      await broker.close();
      await recv.stop();
    }
  }, 30_000);

  it('refuses a FHIR config without a destination, with both, or with plain http off loopback', () => {
    const home = path.join(dir, 'cfg');
    expect(() => testConfig(home, { 'monitoring.fhir.enabled': true })).toThrow(/monitoring\.fhir.*exactly one of endpoint or ndjsonFile/);
    expect(() => testConfig(home, { 'monitoring.fhir.enabled': true, 'monitoring.fhir.endpoint': 'https://fhir.example/r4', 'monitoring.fhir.ndjsonFile': 'a.ndjson' })).toThrow(/exactly one/);
    expect(() => testConfig(home, { 'monitoring.fhir.enabled': true, 'monitoring.fhir.endpoint': 'http://fhir.example/r4' })).toThrow(/plain http is allowed only to a loopback host/);
    expect(() => testConfig(home, { 'monitoring.fhir.endpoint': 'ftp://127.0.0.1/x' })).toThrow(/monitoring\.fhir\.endpoint/);
    expect(testConfig(home, { 'monitoring.fhir.enabled': true, 'monitoring.fhir.endpoint': 'http://127.0.0.1:8080/fhir' }).monitoring.fhir.enabled).toBe(true);
  });
});
