// `npm run bench -- dicomweb [options]`: the DICOMweb gateway (issue 6, "Measure") side by
// side with its baselines, in one run. Three processes keep the roles apart: this one (real
// broker + radgate gateway, and nothing else busy while a path is measured), a synthetic
// DICOMweb upstream (node:http, keep-alive), and one load client (same code for every path:
// node:http(s) keep-alive Agent, maxSockets 64, bodies counted, never buffered). nginx
// (Debian, worker_processes 1) is the baseline TLS proxy with the same server certificate,
// client-certificate verification, TLS 1.2+ BCP 195 suites and a keep-alive upstream pool.
//   G1 50 MiB multipart study, upstream paced at 100 MiB/s: radgate MiB/s vs direct (≥ 0.95).
//   G2 same, unpaced: radgate TLS vs nginx TLS (proxy_buffering off) MiB/s (≥ 0.7).
//   G3 1 KiB study-level QIDO at concurrency 64: radgate rps vs nginx (≥ 0.5), and radgate's
//      added p50 over direct vs nginx's added p50 (≤ 2).
// Every phase also reports each process's CPU seconds, so a saturated client is visible.
// Options: --stream-reps N (5), --load-reps N (3), --duration MS (5000), --warmup MS (2000),
// --study-mib N (50), --framing chunked|length (chunked), --only g1,g2,g3,
// --profile DIR (also profile the radgate side of G2 and G3; writes .cpuprofile files),
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpGateway, type HttpGateway } from '../../src/gateway/http/index.js';
import { startBroker } from '../../src/server.js';
import { makeCaller } from '../helpers/dataplaneCaller.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';
import type { LoadResult, PathSpec, StreamResult } from './dicomweb/client.js';
import { childPids, NGINX, startNginx, type RunningNginx } from './dicomweb/nginx.js';
import { forkHelper, withCpu, type Roles } from './dicomweb/procs.js';
import { profiled, type ProfileSummary } from './dicomweb/profile.js';
import { FAST_STUDY, THROTTLED_STUDY, type UpstreamOptions } from './dicomweb/upstream.js';
import { flushJson, line, record, round } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCH = 'dicomweb';
const MIB = 1024 * 1024;
const STUDY_ACCEPT = 'multipart/related; type="application/dicom"';
const QIDO_ACCEPT = 'application/dicom+json';
/** Study-level QIDO (no study UID): the gateway decides the target, then filters each returned study. */
const QIDO_PATH = '/dicom-web/studies?PatientID=BENCH&limit=10';
/** Study-scoped QIDO: one decision on the study, no filtering (to separate the filter's cost). */
const QIDO_SCOPED_PATH = `/dicom-web/studies/${FAST_STUDY}/series?limit=10`;

interface Opts {
  streamReps: number;
  loadReps: number;
  durationMs: number;
  warmupMs: number;
  studyMib: number;
  framing: 'chunked' | 'length';
  only: Set<string>;
  profileDir?: string;
}

function parse(args: string[]): Opts {
  const val = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const int = (name: string, d: number) => {
    const v = val(name) === undefined ? d : Number(val(name));
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects a positive integer`);
    return v;
  };
  const framing = val('framing') ?? 'chunked';
  if (framing !== 'chunked' && framing !== 'length') throw new Error('--framing expects chunked or length');
  const only = new Set((val('only') ?? 'g1,g2,g3').split(',').map((s) => s.trim().toLowerCase()));
  const profileDir = val('profile');
  return {
    streamReps: int('stream-reps', 5),
    loadReps: int('load-reps', 3),
    durationMs: int('duration', 5000),
    warmupMs: int('warmup', 2000),
    studyMib: int('study-mib', 50),
    framing,
    only,
    ...(profileDir ? { profileDir: path.resolve(profileDir) } : {}),
  };
}

/** CPU seconds one role spent over a set of runs, per unit of work. */
const cpuPer = (runs: { cpu: Record<string, number> }[], role: string, units: number) => runs.reduce((s, r) => s + (r.cpu[role] ?? 0), 0) / units;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function main(args: string[]): Promise<void> {
  const o = parse(args);
  if (!existsSync(NGINX)) {
    line(`${BENCH}: nginx not found at ${NGINX}; it is the baseline proxy and must be installed (Debian: apt-get install nginx, or set RADGATE_BENCH_NGINX). Nothing measured.`);
    process.exitCode = 2;
    return;
  }
  const studyBytes = o.studyMib * MIB;
  const home = tmpHome('radgate-bench-dicomweb-');
  const cleanup: (() => Promise<void> | void)[] = [() => rmSync(home, { recursive: true, force: true })];
  try {

    const upstreamOpts: UpstreamOptions = { studyBytes, throttleBytesPerSec: 100 * MIB, burstBytes: MIB, framing: o.framing, chunkBytes: 64 * 1024 };
    const [broker, upstream, client] = await Promise.all([
      freePort().then((port) => startBroker(testConfig(path.join(home, 'broker'), { 'listen.control.port': port }))),
      forkHelper(path.join(HERE, 'dicomweb', 'upstream.ts'), [JSON.stringify(upstreamOpts)]),
      forkHelper(path.join(HERE, 'dicomweb', 'client.ts')),
    ]);
    cleanup.unshift(() => broker.close(), () => upstream.close(), () => client.close());
    const upstreamPort = upstream.ready.port as number;
    const authorization = 'Basic ' + Buffer.from('radgate:bench').toString('base64');

    const certDir = path.join(home, 'certs');
    mkdirSync(certDir, { recursive: true });
    const caller = await makeCaller(broker, { name: 'bench', department: 'radiology', roles: ['clinician'], dir: certDir });
    const keepAliveMs = 120_000;
    const target = { name: 'pacs-bench', upstream: `http://127.0.0.1:${upstreamPort}`, root: '/dicom-web', upstreamRoot: '/dicom-web', authorization, department: 'radiology', site: 'main' };
    const gw: HttpGateway = await createHttpGateway({
      broker,
      listen: { host: '127.0.0.1', port: await freePort() },
      targets: [target],
      limits: { keepAliveTimeoutMs: keepAliveMs },
    });
    cleanup.unshift(() => gw.close());

    const creds = await broker.ca.serverCredentials();
    const nginxFor = async (buffering: 'off' | 'on'): Promise<RunningNginx> => {
      const n = await startNginx({ dir: path.join(home, `nginx-${buffering}`), port: await freePort(), upstreamPort, cert: creds.cert, key: creds.key, clientCa: broker.ca.trustPem(), authorization, buffering });
      cleanup.unshift(() => n.stop());
      return n;
    };
    const nginx = await nginxFor('off');
    const nginxBuffered = o.only.has('g2') ? await nginxFor('on') : undefined;

    const tls = { ca: broker.ca.rootPem(), cert: caller.cert, key: caller.key, servername: 'localhost' };
    const paths: Record<string, PathSpec> = {
      direct: { origin: `http://127.0.0.1:${upstreamPort}` },
      radgate: { origin: `https://127.0.0.1:${gw.port}`, tls },
      nginx: { origin: `https://127.0.0.1:${nginx.port}`, tls },
      ...(nginxBuffered ? { 'nginx-buffered': { origin: `https://127.0.0.1:${nginxBuffered.port}`, tls } } : {}),
    };
    const roles: Roles = {
      client: () => [client.pid],
      upstream: () => [upstream.pid],
      radgate: () => [process.pid],
      nginx: () => [nginx.pid, ...childPids(nginx.pid), ...(nginxBuffered ? [nginxBuffered.pid, ...childPids(nginxBuffered.pid)] : [])],
    };

    line(`${BENCH}: node ${process.version}, ${cpus().length} CPUs; study ${o.studyMib} MiB multipart/related (${o.framing}, 64 KiB writes); QIDO answer ${1024} B`);
    line(`${BENCH}: nginx ${nginx.settings}`);
    if (nginxBuffered) line(`${BENCH}: nginx-buffered ${nginxBuffered.settings}`);
    line(`${BENCH}: radgate createHttpGateway with a real broker (policy, audit, CA, sessions), default audit coalescing; keep-alive ${keepAliveMs / 1000} s on both proxies`);
    for (const [name, p] of Object.entries(paths)) {
      if (!p.tls) continue;
      const info = await client.call<{ protocol: string; cipher: string; status: number; bytes: number }>({ cmd: 'tlsinfo', path: p, url: QIDO_PATH, accept: QIDO_ACCEPT });
      if (info.status !== 200) throw new Error(`${name}: QIDO answered ${info.status}; the bench caller must be allowed (radiology clinician, high-tier device, radiology target)`);
      line(`${BENCH}: ${name} ${info.protocol} ${info.cipher}, QIDO ${info.bytes} B`);
    }

    const stream = async (name: string, study: string) => {
      const r = await withCpu(roles, () => client.call<StreamResult>({ cmd: 'stream', path: paths[name], url: `/dicom-web/studies/${study}`, accept: STUDY_ACCEPT }));
      if (r.result.status !== 200 || r.result.bytes !== studyBytes) throw new Error(`${name}: study retrieval answered ${r.result.status} with ${r.result.bytes} bytes, expected 200 with ${studyBytes}`);
      return { mibps: r.result.mibPerSec, cpu: r.cpu, wall: r.wall };
    };
    /** Each role's share of one core and its CPU cost per unit (MiB or request), summed over runs. */
    const cpuLine = (label: string, runs: { cpu: Record<string, number>; wall: number }[], unit: 'MiB' | 'request', count: number) => {
      const wall = runs.reduce((s, r) => s + r.wall, 0);
      const parts = Object.keys(runs[0]!.cpu).map((k) => {
        const secs = runs.reduce((s, r) => s + r.cpu[k]!, 0);
        const cost = unit === 'MiB' ? `${round((secs * 1e3) / count, 2)} ms/MiB` : `${round((secs * 1e6) / count, 0)} µs/request`;
        return `${k} ${round((100 * secs) / wall, 0)}% (${cost})`;
      });
      line(`${BENCH}:   cpu during ${label} (% of one core; /proc, 10 ms ticks): ${parts.join(', ')}`);
    };

    // ---- G1: paced upstream, radgate vs direct ----------------------------------------
    if (o.only.has('g1')) {
      await stream('direct', THROTTLED_STUDY);
      await stream('radgate', THROTTLED_STUDY);
      const runs: Record<string, Awaited<ReturnType<typeof stream>>[]> = { direct: [], radgate: [] };
      for (let i = 0; i < Math.max(3, Math.ceil(o.streamReps / 2)); i++) for (const n of ['direct', 'radgate']) runs[n]!.push(await stream(n, THROTTLED_STUDY));
      for (const n of ['direct', 'radgate']) {
        line(`${BENCH}: G1 ${n}: ${runs[n]!.map((r) => round(r.mibps, 1)).join(', ')} MiB/s`);
        cpuLine(`G1 ${n}`, runs[n]!, 'MiB', runs[n]!.length * o.studyMib);
      }
      record({ bench: BENCH, metric: 'g1_throttled_throughput', unit: 'MiB/s', value: round(median(runs.radgate!.map((r) => r.mibps)), 2), baseline: 'direct to the upstream paced at 100 MiB/s', baseline_value: round(median(runs.direct!.map((r) => r.mibps)), 2), target: '>= 0.95', reps: runs.radgate!.length });
    }

    // ---- G2: unpaced, radgate TLS vs nginx TLS -------------------------------------------
    let g2Profile: ProfileSummary | undefined;
    if (o.only.has('g2')) {
      const names = ['direct', 'radgate', 'nginx', ...(nginxBuffered ? ['nginx-buffered'] : [])];
      for (const n of names) await stream(n, FAST_STUDY);
      const runs: Record<string, Awaited<ReturnType<typeof stream>>[]> = Object.fromEntries(names.map((n) => [n, []]));
      for (let i = 0; i < o.streamReps; i++) for (const n of names) runs[n]!.push(await stream(n, FAST_STUDY));
      for (const n of names) {
        line(`${BENCH}: G2 ${n}: ${runs[n]!.map((r) => round(r.mibps, 0)).join(', ')} MiB/s`);
        cpuLine(`G2 ${n}`, runs[n]!, 'MiB', runs[n]!.length * o.studyMib);
      }
      const m = (n: string) => round(median(runs[n]!.map((r) => r.mibps)), 1);
      record({ bench: BENCH, metric: 'g2_unthrottled_throughput', unit: 'MiB/s', value: m('radgate'), baseline: 'nginx TLS proxy, proxy_buffering off', baseline_value: m('nginx'), target: '>= 0.7', reps: o.streamReps });
      if (nginxBuffered) record({ bench: BENCH, metric: 'g2_unthrottled_throughput_vs_nginx_buffered', unit: 'MiB/s', value: m('radgate'), baseline: 'nginx TLS proxy, proxy_buffering on (64k buffers)', baseline_value: m('nginx-buffered'), reps: o.streamReps });
      record({ bench: BENCH, metric: 'g2_unthrottled_throughput_vs_direct', unit: 'MiB/s', value: m('radgate'), baseline: 'direct plain HTTP to the upstream', baseline_value: m('direct'), reps: o.streamReps });
      // CPU per MiB is steadier than MiB/s on a shared machine: lower is better, ratio > 1 means radgate costs more.
      const mibs = o.streamReps * o.studyMib;
      record({ bench: BENCH, metric: 'g2_proxy_cpu_per_mib', unit: 'ms/MiB', value: round(cpuPer(runs.radgate!, 'radgate', mibs) * 1e3, 3), baseline: 'nginx worker CPU per MiB', baseline_value: round(cpuPer(runs.nginx!, 'nginx', mibs) * 1e3, 3), note: 'proxy process CPU (radgate: broker + gateway process)' });
      if (o.profileDir) {
        mkdirSync(o.profileDir, { recursive: true });
        const p = await profiled(path.join(o.profileDir, 'dicomweb-g2-radgate.cpuprofile'), async () => {
          for (let i = 0; i < 3; i++) await stream('radgate', FAST_STUDY);
        });
        g2Profile = p.summary;
      }
    }

    // ---- G3: 1 KiB QIDO at concurrency 64 ------------------------------------------------
    let g3Profile: ProfileSummary | undefined;
    if (o.only.has('g3')) {
      const load = async (name: string, url: string, ms: number) => {
        const r = await withCpu(roles, () => client.call<LoadResult>({ cmd: 'load', path: paths[name], url, accept: QIDO_ACCEPT, concurrency: 64, durationMs: ms }));
        if (r.result.errors > 0 || r.result.statusOther > 0) throw new Error(`${name}: ${r.result.errors} errors and ${r.result.statusOther} non-200 answers under load`);
        return { ...r.result, cpu: r.cpu, wall: r.wall };
      };
      const cases: [string, string, string][] = [
        ['direct', 'direct', QIDO_PATH],
        ['radgate', 'radgate', QIDO_PATH],
        ['radgate-scoped', 'radgate', QIDO_SCOPED_PATH],
        ['nginx', 'nginx', QIDO_PATH],
      ];
      for (const [, p, url] of cases) await load(p, url, o.warmupMs);
      const runs: Record<string, Awaited<ReturnType<typeof load>>[]> = Object.fromEntries(cases.map(([n]) => [n, []]));
      for (let i = 0; i < o.loadReps; i++) for (const [n, p, url] of cases) runs[n]!.push(await load(p, url, o.durationMs));
      for (const [n] of cases) {
        const rs = runs[n]!;
        line(`${BENCH}: G3 ${n}: ${rs.map((r) => `${round(r.rps, 0)} rps p50 ${round(r.p50, 2)} ms p99 ${round(r.p99, 2)} ms`).join('; ')} (${round(rs[0]!.bytesPerResponse, 0)} B/response, ${rs[0]!.sockets} connections)`);
        cpuLine(`G3 ${n}`, rs, 'request', rs.reduce((s, r) => s + r.requests, 0));
      }
      const rps = (n: string) => round(median(runs[n]!.map((r) => r.rps)), 0);
      const p50 = (n: string) => median(runs[n]!.map((r) => r.p50));
      const added = (n: string) => round(p50(n) - p50('direct'), 3);
      record({ bench: BENCH, metric: 'g3_qido_rps', unit: 'req/s', value: rps('radgate'), baseline: 'nginx TLS proxy', baseline_value: rps('nginx'), target: '>= 0.5', concurrency: 64, reps: o.loadReps, path: QIDO_PATH });
      record({ bench: BENCH, metric: 'g3_qido_added_p50', unit: 'ms', value: added('radgate'), baseline: 'nginx added p50 over direct', baseline_value: added('nginx'), target: '<= 2', direct_p50: round(p50('direct'), 3), radgate_p50: round(p50('radgate'), 3), nginx_p50: round(p50('nginx'), 3) });
      record({ bench: BENCH, metric: 'g3_qido_scoped_rps', unit: 'req/s', value: rps('radgate-scoped'), baseline: 'nginx TLS proxy', baseline_value: rps('nginx'), path: QIDO_SCOPED_PATH, note: 'study-scoped query: one decision, no result filtering' });
      record({ bench: BENCH, metric: 'g3_direct_rps', unit: 'req/s', value: rps('direct'), note: 'plain HTTP straight to the upstream (context)' });
      const reqs = (n: string) => runs[n]!.reduce((s, r) => s + r.requests, 0);
      const perReq = (n: string, role: string) => round(cpuPer(runs[n]!, role, reqs(n)) * 1e6, 1);
      record({ bench: BENCH, metric: 'g3_proxy_cpu_per_request', unit: 'µs', value: perReq('radgate', 'radgate'), baseline: 'nginx worker CPU per request', baseline_value: perReq('nginx', 'nginx'), note: 'proxy process CPU (radgate: broker + gateway process); lower is better' });
      if (o.profileDir) {
        mkdirSync(o.profileDir, { recursive: true });
        const p = await profiled(path.join(o.profileDir, 'dicomweb-g3-radgate.cpuprofile'), () => load('radgate', QIDO_PATH, o.durationMs));
        g3Profile = p.summary;
        line(`${BENCH}: G3 radgate under the profiler: ${round(p.result.rps, 0)} rps`);
      }
    }

    for (const [label, s] of [['G2', g2Profile], ['G3', g3Profile]] as const) {
      if (!s) continue;
      line(`${BENCH}: profile ${label} radgate process (${round(s.totalMs, 0)} ms sampled, idle excluded), self time by area:`);
      for (const a of s.areas) line(`    ${a.pct.toFixed(1).padStart(5)}%  ${a.area}`);
      line(`${BENCH}: profile ${label} top self-time functions:`);
      for (const f of s.top) line(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.name}`);
    }
    await broker.audit.flush();
    flushJson();
  } finally {
    for (const c of cleanup) await Promise.resolve(c()).catch(() => undefined);
  }
}
