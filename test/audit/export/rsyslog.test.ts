// ATNA over syslog/TLS to a real Debian rsyslog (rsyslog-gnutls): framed, parseable,
// schema-valid messages; a collector outage plus a broker restart loses nothing and keeps
// order; a collector with a certificate from another CA is refused and the events stay
// spooled; a collector demanding client certificates gets one.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtnaExporter, type AtnaExporterOptions } from '../../../src/audit/export/createAtnaExporter.js';
import { parseSyslogMessage } from '../../../src/audit/export/syslogFrame.js';
import type { OpenedAuditLog } from '../../../src/audit/index.js';
import { freePort } from '../../helpers/ports.js';
import { tmpHome } from '../../helpers/tmpHome.js';
import { openLog, testEnv, type TestEnv } from '../helpers.js';
import { IN_CI, makePki, rsyslogAvailable, startRsyslog, validateAtnaXml, waitFor, type TestPki } from './helpers.js';

const ok = rsyslogAvailable();
if (IN_CI && !ok) throw new Error('rsyslogd with rsyslog-gnutls and xmllint are required under CI (apt-get install rsyslog rsyslog-gnutls libxml2-utils)');

const dir = tmpHome('radgate-rsyslog-');
let pki: TestPki;
beforeAll(() => {
  pki = makePki(path.join(dir, 'pki'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gatewayEvent = (i: number) => ({
  type: 'gateway.http.request',
  actor: `Radgate::User::"u${i % 3}"`,
  outcome: 'success' as const,
  detail: { target: 'pacs-rad', action: 'dicomweb.retrieve', study: `1.2.826.0.1.${i}`, patientId: `P${i}`, source: '10.1.1.5', bytes: 1000 + i },
});

function exporterOptions(env: TestEnv, log: OpenedAuditLog, port: number, extra: Partial<AtnaExporterOptions> = {}): AtnaExporterOptions {
  return {
    store: env.store,
    audit: log,
    spoolDir: path.join(env.dir, 'spool'),
    collector: { host: '127.0.0.1', port, ca: readFileSync(pki.caCert) },
    settleMs: 300,
    minBackoffMs: 100,
    maxBackoffMs: 400,
    pollMs: 100,
    ...extra,
  };
}

const seqsOf = (lines: string[]) => lines.map((l) => parseSyslogMessage(l)?.seq ?? -1);

describe.skipIf(!ok && !IN_CI)('ATNA export to rsyslog over TLS', () => {
  it('delivers framed RFC 5424 messages with schema-valid XML; survives a collector outage and a broker restart in order, none lost', async () => {
    const rdir = path.join(dir, 'r1');
    mkdirSync(rdir);
    const rs = await startRsyslog({ dir: rdir, port: await freePort(), cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert });
    let env = await testEnv();
    try {
      let log = await openLog(env);
      const problems: string[] = [];
      let ex = await createAtnaExporter(exporterOptions(env, log, rs.port, { onProblem: (p) => problems.push(p.kind) }));
      for (let i = 0; i < 20; i++) await log.append(gatewayEvent(i));
      await waitFor(() => rs.lines().length >= 20, 15_000, '20 messages at rsyslog');
      const first = rs.lines().map((l) => parseSyslogMessage(l)!);
      expect(first.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const m of first) {
        expect(m.msgId).toBe('IHE+RFC-3881');
        expect(m.pri).toBe(85);
      }
      for (const m of first.slice(0, 5)) expect(validateAtnaXml(m.msg, rdir)).toBe('');

      // Collector down; events keep coming; then the broker restarts.
      await rs.stop();
      for (let i = 20; i < 50; i++) await log.append(gatewayEvent(i));
      await ex.exporter.drain();
      expect(ex.spool.depth()).toBeGreaterThanOrEqual(30);
      await waitFor(() => problems.includes('collector-unreachable') || problems.includes('collector-closed'), 5000, 'an outage report');
      await ex.close();
      await log.close();
      await env.store.close();
      env.store = await env.reopen();
      log = await openLog(env);
      ex = await createAtnaExporter(exporterOptions(env, log, rs.port));
      for (let i = 50; i < 60; i++) await log.append(gatewayEvent(i));
      await rs.restart();
      await waitFor(() => new Set(seqsOf(rs.lines())).size >= 60, 20_000, 'all 60 seqs at rsyslog');
      const seqs = seqsOf(rs.lines());
      // At least once: duplicates are allowed (and detectable by seq); order and completeness are not negotiable.
      const firstSeen = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(firstSeen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      await ex.close();
      await log.close();
    } finally {
      await rs.stop();
      await env.cleanup();
    }
  });

  it('refuses a collector whose certificate another CA signed: nothing sent, events stay spooled, the problem is reported', async () => {
    const rdir = path.join(dir, 'r2');
    mkdirSync(rdir);
    const rs = await startRsyslog({ dir: rdir, port: await freePort(), cert: pki.otherServerCert, key: pki.otherServerKey, ca: pki.otherCaCert });
    const env = await testEnv();
    try {
      const log = await openLog(env);
      const problems: { kind: string; code: string }[] = [];
      const ex = await createAtnaExporter(exporterOptions(env, log, rs.port, { onProblem: (p) => problems.push({ kind: p.kind, code: 'code' in p ? p.code : '' }) }));
      for (let i = 0; i < 5; i++) await log.append(gatewayEvent(i));
      await ex.exporter.drain();
      await waitFor(() => problems.find((p) => p.kind === 'collector-untrusted'), 10_000, 'collector-untrusted');
      await new Promise((r) => setTimeout(r, 500));
      expect(ex.spool.depth()).toBe(5);
      expect(rs.lines()).toEqual([]);
      // Reported once per episode, not once per retry.
      expect(problems.filter((p) => p.kind === 'collector-untrusted').length).toBe(1);
      await ex.close();
      await log.close();
    } finally {
      await rs.stop();
      await env.cleanup();
    }
  });

  it('presents a client certificate to a collector that requires one (AuthMode x509/certvalid)', async () => {
    const rdir = path.join(dir, 'r3');
    mkdirSync(rdir);
    const rs = await startRsyslog({ dir: rdir, port: await freePort(), cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, authMode: 'x509/certvalid' });
    const env = await testEnv();
    try {
      const log = await openLog(env);
      const ex = await createAtnaExporter(
        exporterOptions(env, log, rs.port, { collector: { host: '127.0.0.1', port: rs.port, ca: readFileSync(pki.caCert), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) } }),
      );
      for (let i = 0; i < 3; i++) await log.append(gatewayEvent(i));
      await waitFor(() => rs.lines().length >= 3, 15_000, '3 messages with a client certificate');
      expect(seqsOf(rs.lines())).toEqual([1, 2, 3]);
      await ex.close();
      await log.close();
    } finally {
      await rs.stop();
      await env.cleanup();
    }
  });
});
