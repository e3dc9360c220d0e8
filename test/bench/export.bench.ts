// ATNA export throughput: audit events/s from the chain to a real local Debian rsyslog
// (rsyslog-gnutls, TLS) through radgate's exporter (read from SQLite, PS3.15 A.5 XML, RFC
// 5424, on-disk spool with fsync per batch, RFC 5425 octet-counted frames), against the
// same bytes, framed and pre-built, written over one bare TLS socket to the same rsyslog.
// Both runs end when rsyslog has written the last message to its file. Rounds are
// interleaved; medians are reported. Also: XML+syslog serialisation alone (CPU only).
// `npm run bench -- export [--events 30000] [--rounds 3]`
import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { atnaSyslogRecords, createAtnaExporter } from '../../src/audit/export/index.js';
import { openAuditLog, type AuditEventInput, type AuditRow } from '../../src/audit/index.js';
import { openStore } from '../../src/store/index.js';
import { makePki, rsyslogAvailable, startRsyslog } from '../audit/export/helpers.js';
import { freePort } from '../helpers/ports.js';
import { flushJson, line, record, round } from './report.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return v;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A realistic mix: retrievals with patient and study, QIDO queries, sign-ins, denials. */
const sample = (i: number): AuditEventInput => {
  const actor = `Radgate::User::"u${i % 50}"`;
  switch (i % 4) {
    case 0:
    case 1:
      return { type: 'gateway.http.request', actor, outcome: 'success', detail: { target: 'pacs-rad', action: 'dicomweb.retrieve', study: `1.2.826.0.1.3680043.8.498.${i}`, patientId: `P${i % 900}`, source: '10.20.1.15', deviceId: 'dev-1', serial: '0a1b2c', bytes: 524288 } };
    case 2:
      return { type: 'gateway.http.request', actor, outcome: 'success', detail: { target: 'pacs-rad', action: 'dicomweb.query', route: `/dicomweb/studies?PatientID=P${i % 900}&ModalitiesInStudy=CT`, source: '10.20.1.15' } };
    default:
      return { type: i % 8 === 3 ? 'identity.login' : 'decision', actor, outcome: i % 8 === 3 ? 'success' : 'deny', detail: { action: 'dicomweb.retrieve', source: '10.20.1.15', reasons: ['posture-stale'] } };
  }
};

/** Counts the lines rsyslog has written, reading only what was appended since the last call. */
function lineCounter(file: string) {
  let offset = 0;
  let count = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  return () => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return count;
    }
    if (size <= offset) return count;
    const fd = openSync(file, 'r');
    try {
      while (offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        if (n <= 0) break;
        for (let i = 0; i < n; i++) if (buf[i] === 0x0a) count++;
        offset += n;
      }
    } finally {
      closeSync(fd);
    }
    return count;
  };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`export bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function main(args: string[]): Promise<void> {
  const events = Math.round(arg(args, 'events', 30_000));
  const rounds = Math.round(arg(args, 'rounds', 3));
  // A bench that cannot reach its peer fails; it never reports a made-up figure.
  if (!rsyslogAvailable()) throw new Error('export bench: rsyslogd with rsyslog-gnutls (and xmllint) is required (apt-get install rsyslog rsyslog-gnutls libxml2-utils)');
  const dir = mkdtempSync(path.join(tmpdir(), 'radgate-bench-export-'));
  const pki = makePki(path.join(dir, 'pki'));
  mkdirSync(path.join(dir, 'rs'));
  const rs = await startRsyslog({ dir: path.join(dir, 'rs'), port: await freePort(), cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert });
  const store = await openStore({ location: path.join(dir, 'radgate.db') });
  const log = await openAuditLog({ store, home: dir, checkpointEvery: 1_000_000, checkpointIntervalSeconds: 0, onError: () => undefined });
  try {
    for (let i = 0; i < events; i += 1000) await Promise.all(Array.from({ length: Math.min(1000, events - i) }, (_, j) => log.append(sample(i + j))));
    const rows: AuditRow[] = [];
    for await (const r of store.audit.iterate(0)) rows.push(r);
    const source = { sourceId: hostname() };
    const header = { hostname: hostname(), appName: 'radgate', procId: String(process.pid) };
    const records = atnaSyslogRecords(rows, source, header);
    const exported = records.length;
    line(`export bench: ${events} audit events (${exported} exported as ATNA), ${rounds} interleaved rounds, rsyslog ${rs.port} over TLS in ${dir}`);

    // Serialisation alone (XML + RFC 5424), CPU only.
    const ser: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      atnaSyslogRecords(rows, source, header);
      ser.push(events / (Number(process.hrtime.bigint() - t0) / 1e9));
    }

    // The baseline's bytes: exactly the frames the sender writes, 512 records per write.
    const chunks: Buffer[] = [];
    for (let i = 0; i < records.length; i += 512) {
      const parts: Buffer[] = [];
      for (const r of records.slice(i, i + 512)) parts.push(Buffer.from(`${r.payload.length} `, 'ascii'), r.payload);
      chunks.push(Buffer.concat(parts));
    }
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    const ca = readFileSync(pki.caCert);
    const count = lineCounter(rs.outFile);

    const radgateRun = async (n: number): Promise<number> => {
      const target = count() + exported;
      const t0 = process.hrtime.bigint();
      const ex = await createAtnaExporter({ store, audit: log, spoolDir: path.join(dir, `spool-${n}`), fsync: 'always', name: `bench-${n}`, collector: { host: '127.0.0.1', port: rs.port, ca }, settleMs: 200, pollMs: 50 });
      await until(() => count() >= target, 120_000, `${exported} messages from the exporter`);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      await ex.close();
      return exported / s;
    };
    const bareRun = async (): Promise<number> => {
      const target = count() + exported;
      const t0 = process.hrtime.bigint();
      const socket = connect({ host: '127.0.0.1', port: rs.port, ca, minVersion: 'TLSv1.2' });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      for (const c of chunks) if (!socket.write(c)) await new Promise((r) => socket.once('drain', r));
      await until(() => count() >= target, 120_000, `${exported} messages from the bare socket`);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      socket.end();
      return exported / s;
    };

    await bareRun(); // warm-up: rsyslog's file, page cache, JIT
    await radgateRun(0);
    const ours: number[] = [];
    const bare: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      ours.push(await radgateRun(i));
      bare.push(await bareRun());
    }
    line(`radgate exporter rounds: ${ours.map((v) => v.toFixed(0)).join(', ')} events/s; bare TLS rounds: ${bare.map((v) => v.toFixed(0)).join(', ')} events/s (${(bytes / exported).toFixed(0)} bytes per message)`);
    const vsBare = { baseline: 'same framed bytes over one bare TLS socket to the same rsyslog', baseline_value: round(median(bare), 0) };
    record({ bench: 'export', metric: 'atna_events_per_s', unit: 'events/s', value: round(median(ours), 0), ...vsBare, target: 20_000, target_ratio: 0.5, path: 'SQLite -> XML -> RFC 5424 -> spool (fsync per batch) -> TLS -> rsyslog file', events: exported });
    record({ bench: 'export', metric: 'atna_serialise_events_per_s', unit: 'events/s', value: round(median(ser), 0), path: 'toAtnaMessage + syslogMessage only (CPU)' });
  } finally {
    await log.close();
    await store.close();
    await rs.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  flushJson();
}
