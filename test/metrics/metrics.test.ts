// Prometheus metrics: what the audit stream says (commit latency, certificates, bytes per
// gateway, alerts by kind), decisions observed on the decision path, gauges read at scrape
// time (audit queue, live sessions, export spool and lag); the /metrics listener of a real
// broker (off by default, loopback, 404/405 for anything but GET /metrics).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';
import { createPolicyEngine } from '../../src/policy/index.js';
import { startBroker } from '../../src/server.js';
import { openLog, testEnv } from '../audit/helpers.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';
import { clinicianQuery } from '../policy/versions/fixture.js';

const dir = tmpHome('radgate-metrics-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sample values by `name{labels}` from the exposition text (labels as written, sorted by prom-client). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('createMetrics', () => {
  it('counts certificates, revocations, bytes per gateway and alerts from committed audit events, and audit commit latency', async () => {
    const env = await testEnv();
    try {
      const log = await openLog(env);
      const metrics = createMetrics({ defaultMetrics: false });
      const detach = metrics.attach({ audit: log, alertKinds: ['snooping', 'volume-spike'] });
      const u = 'Radgate::User::"u"';
      await Promise.all([
        log.append({ type: 'ca.issue', actor: u, outcome: 'success', detail: { serial: '01' } }),
        log.append({ type: 'ca.issue', actor: u, outcome: 'failure', detail: { code: 'csr-invalid' } }),
        log.append({ type: 'ca.revoke', actor: u, outcome: 'success', detail: { serials: ['01', '02'] } }),
        log.append({ type: 'analytics.alert', actor: 'system', outcome: 'alert', detail: { kind: 'snooping' } }),
        log.append({ type: 'gateway.http.request', actor: u, outcome: 'success', detail: { bytes: 1000, bytesIn: 10 } }),
        // A coalesced record sums the repeats' response bytes; its bytesIn is the first request's (already counted).
        log.append({ type: 'gateway.http.request', actor: u, outcome: 'success', detail: { bytes: 5000, bytesIn: 10, coalesced: 4 } }),
        log.append({ type: 'gateway.dicom.association', actor: u, outcome: 'success', detail: { bytesIn: 300, bytesOut: 7000 } }),
        log.append({ type: 'gateway.tunnel.close', actor: u, outcome: 'success', detail: { bytesUp: 40, bytesDown: 60 } }),
        log.append({ type: 'gateway.tunnel.close', actor: u, outcome: 'success', detail: { bytesUp: 'lots', bytesDown: -5 } }),
      ]);
      const s = samples(await metrics.text());
      expect(s.get('radgate_certificates_issued_total')).toBe(1);
      expect(s.get('radgate_certificates_revoked_total')).toBe(2);
      expect(s.get('radgate_alerts_total{kind="snooping"}')).toBe(1);
      expect(s.get('radgate_alerts_total{kind="volume-spike"}')).toBe(0);
      expect(s.get('radgate_proxied_bytes_total{gateway="http",direction="to_client"}')).toBe(6000);
      expect(s.get('radgate_proxied_bytes_total{gateway="http",direction="from_client"}')).toBe(10);
      expect(s.get('radgate_proxied_bytes_total{gateway="dicom",direction="to_client"}')).toBe(7000);
      expect(s.get('radgate_proxied_bytes_total{gateway="dicom",direction="from_client"}')).toBe(300);
      expect(s.get('radgate_proxied_bytes_total{gateway="tunnel",direction="to_client"}')).toBe(60);
      expect(s.get('radgate_proxied_bytes_total{gateway="tunnel",direction="from_client"}')).toBe(40);
      expect(s.get('radgate_audit_events_total')).toBe(9);
      expect(s.get('radgate_audit_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(s.get('radgate_audit_queue_depth')).toBe(0);
      detach();
      await log.append({ type: 'ca.issue', actor: u, outcome: 'success', detail: {} });
      expect(samples(await metrics.text()).get('radgate_certificates_issued_total')).toBe(1);
      await log.close();
    } finally {
      await env.cleanup();
    }
  });

  it('reads live sessions per gateway and export spool depth and lag at scrape time', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let sessions = [{ gateway: 'http' }, { gateway: 'http' }, { gateway: 'tunnel' }];
    let lag = 7;
    metrics.attach({ liveSessions: { list: () => sessions }, exports: () => [{ exporter: 'atna', spoolDepth: 3, lagEvents: lag }] });
    let s = samples(await metrics.text());
    expect([s.get('radgate_live_sessions{gateway="http"}'), s.get('radgate_live_sessions{gateway="dicom"}'), s.get('radgate_live_sessions{gateway="tunnel"}')]).toEqual([2, 0, 1]);
    expect(s.get('radgate_export_spool_depth{exporter="atna"}')).toBe(3);
    expect(s.get('radgate_export_lag_events{exporter="atna"}')).toBe(7);
    sessions = [];
    lag = 0;
    s = samples(await metrics.text());
    expect(s.get('radgate_live_sessions{gateway="http"}')).toBe(0);
    expect(s.get('radgate_export_lag_events{exporter="atna"}')).toBe(0);
  });

  it('observes every authorize() call of a policy engine: action, outcome, cache hit, latency; an observer that throws changes nothing', async () => {
    const env = await testEnv();
    try {
      const log = await openLog(env);
      const metrics = createMetrics({ defaultMetrics: false });
      const { loadPolicySet } = await import('../../src/policy/index.js');
      const set = await loadPolicySet(path.join(process.cwd(), 'policies'));
      const engine = createPolicyEngine({ audit: log, cacheTtlSeconds: 60, cacheMaxEntries: 1000, observer: metrics.observeDecision });
      engine.activate(set);
      const q = clinicianQuery;
      const first = engine.authorize(q.principal, 'dicomweb.query', q.resource, q.context);
      for (let i = 0; i < 3; i++) engine.authorize(q.principal, 'dicomweb.query', q.resource, q.context);
      engine.authorize(q.principal, 'dicomweb.query', q.resource, { ...q.context, device: { ...q.context.device!, stale: true } });
      const s = samples(await metrics.text());
      const outcome = first.decision;
      expect(s.get(`radgate_decisions_total{action="dicomweb.query",outcome="${outcome}"}`)).toBeGreaterThanOrEqual(4);
      const total = [...s].filter(([k]) => k.startsWith('radgate_decisions_total{action="dicomweb.query"')).reduce((a, [, v]) => a + v, 0);
      expect(total).toBe(5);
      expect(s.get('radgate_decision_cache_total{result="hit"}')).toBe(3);
      expect(s.get('radgate_decision_cache_total{result="miss"}')).toBe(2);
      expect(s.get('radgate_decision_cache_hit_ratio')).toBeCloseTo(3 / 5, 5);
      expect(s.get('radgate_decision_duration_seconds_count{cached="true"}')).toBe(3);
      expect(s.get('radgate_decision_duration_seconds_count{cached="false"}')).toBe(2);
      expect(s.get('radgate_decision_duration_seconds_sum{cached="false"}')).toBeGreaterThan(0);

      const throwing = createPolicyEngine({ audit: log, cacheTtlSeconds: 0, cacheMaxEntries: 0, observer: () => { throw new Error('boom'); } });
      throwing.activate(set);
      expect(throwing.authorize(q.principal, 'dicomweb.query', q.resource, q.context).decision).toBe(outcome);
      engine.close();
      throwing.close();
      await log.close();
    } finally {
      await env.cleanup();
    }
  });
});

describe('the /metrics listener in the broker', () => {
  it('is off by default', async () => {
    const broker = await startBroker(testConfig(path.join(dir, 'off'), { 'listen.control.port': await freePort() }));
    try {
      expect(broker.metrics).toBeUndefined();
    } finally {
      await broker.close();
    }
  }, 60_000);

  it('serves decisions, live sessions and audit figures of the running broker on its own loopback listener; 404 and 405 elsewhere', async () => {
    const home = path.join(dir, 'on');
    mkdirSync(home);
    const port = await freePort();
    const broker = await startBroker(testConfig(home, { 'listen.control.port': await freePort(), 'monitoring.metrics.enabled': true, 'monitoring.metrics.listen.port': port }));
    try {
      expect(broker.metrics?.server.url).toBe(`http://127.0.0.1:${port}/metrics`);
      const q = clinicianQuery;
      for (let i = 0; i < 3; i++) await broker.policy.authorize(q.principal, 'dicomweb.query', q.resource, q.context).durable;
      const reg = broker.liveSessions.register({ gateway: 'dicom', userId: 'alice', deviceId: 'dev-1', serial: null, loginSessionId: null, grantId: null, target: 't', recheck: () => true, close: () => undefined });
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const s = samples(await res.text());
      const decisions = [...s].filter(([k]) => k.startsWith('radgate_decisions_total{action="dicomweb.query"')).reduce((a, [, v]) => a + v, 0);
      expect(decisions).toBe(3);
      expect(s.get('radgate_decision_cache_total{result="hit"}')).toBe(2);
      expect(s.get('radgate_live_sessions{gateway="dicom"}')).toBe(1);
      // system.start and the first decision at least (identical cached decisions may be coalesced: policy.auditCoalesce).
      expect(s.get('radgate_audit_events_total')).toBeGreaterThanOrEqual(2);
      expect(s.has('process_cpu_user_seconds_total')).toBe(true);
      reg.unregister();
      expect(samples(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).get('radgate_live_sessions{gateway="dicom"}')).toBe(0);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await broker.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  }, 60_000);

  it('refuses a metrics listener port outside 1-65535 naming the path', () => {
    expect(() => testConfig(path.join(dir, 'bad'), { 'monitoring.metrics.listen.port': 70000 })).toThrow(/monitoring\.metrics\.listen\.port/);
  });
});
