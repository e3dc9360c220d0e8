// `npm run bench -- cert-e2e [--count N] [--cli-count M]`: the agent's whole certificate
// round trip against a real broker on loopback — fresh P-256 key, CSR, HTTPS POST
// /certificates (TLS handshake pinned to the broker root, session check, issue, durable
// record), verify and write key/cert/chain 0600. Two views:
//   agent_cert_inprocess: requestCertificate() as the CLI calls it, p50/p99 ms;
//     baseline: a bare TLS handshake round trip to the same broker (connect, verify, close).
//   cli_cert: the built `radgate cert --json` as a separate process, p50/p99 ms;
//     baseline: `radgate --version` as a separate process (node start-up + CLI load).
// Needs the broker's /devices and /certificates routes mounted (src/devices, src/ca); until
// they are, it stops at enrolment with a message saying so.
import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import path from 'node:path';
import { enroll, reportPosture, requestCertificate, writeSession } from '../../src/agent/index.js';
import { pinFilePath } from '../../src/agent/serverTrust.js';
import { startBroker } from '../../src/server.js';
import { freePort } from '../helpers/ports.js';
import { REPO_ROOT, testConfig, tmpHome } from '../helpers/tmpHome.js';
import { flushJson, line, percentile, record, round } from './report.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} expects a positive integer`);
  return v;
}

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

function tlsRoundTrip(url: URL, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: Number(url.port), servername: url.hostname, ca, minVersion: 'TLSv1.2' }, () => {
      s.end();
      s.once('close', () => resolve());
    });
    s.once('error', reject);
  });
}

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`radgate ${args.join(' ')} failed: ${stderr.trim()}`)) : resolve(stdout),
    ),
  );
}

const stats = (xs: number[]) => ({ p50: round(percentile(xs, 50), 2), p99: round(percentile(xs, 99), 2) });

export async function main(args: string[]): Promise<void> {
  const count = arg(args, 'count', 200);
  const cliCount = arg(args, 'cli-count', 30);
  const brokerHome = tmpHome('radgate-bench-cert-e2e-');
  const agentHome = path.join(tmpHome('radgate-bench-agent-'), 'agent');
  // Clinicians' devices are approved on enrolment here, as a hospital would configure it.
  const broker = await startBroker(testConfig(brokerHome, { 'listen.control.port': await freePort(), 'devices.autoApproveRoles': ['clinician'] }));
  try {
    const now = Date.now();
    const row = await broker.store.users.upsertFromIdp({ id: 'bench-user', issuer: 'https://idp.bench', subject: 'bench', kind: 'workforce', roles: JSON.stringify(['clinician']), createdAt: now, updatedAt: now });
    const user = (await broker.identity.sessions.getUser(row.id))!;
    const { token, session } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'bench', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: now, state: 'active', verifiedAt: now, credentialId: 'bench-key' });
    const url = new URL(broker.url);
    writeSession(agentHome, { server: url.origin, token, sessionId: session.id, expiresAt: new Date(session.expiresAt).toISOString(), user: { id: user.id, displayName: null, kind: 'workforce' } });
    writeFileSync(pinFilePath(agentHome, url), broker.ca.rootPem(), { mode: 0o600 });

    try {
      await enroll({ home: agentHome, name: 'bench' });
    } catch (err) {
      line(`cert-e2e: enrolment failed (${(err as Error).message}).`);
      line('cert-e2e: the broker must mount POST /devices/enroll and POST /certificates (src/devices, src/ca routes); not measured.');
      process.exitCode = 2;
      return;
    }
    await reportPosture({ home: agentHome });
    line(`cert-e2e: broker ${url.origin}; ${count} in-process and ${cliCount} CLI round trips; node ${process.version}`);

    for (let i = 0; i < 10; i++) await requestCertificate({ home: agentHome }); // warm-up
    for (let i = 0; i < 10; i++) await tlsRoundTrip(url, broker.ca.rootPem());
    const inproc = await timeEach(count, () => requestCertificate({ home: agentHome }));
    const tls = await timeEach(count, () => tlsRoundTrip(url, broker.ca.rootPem()));
    const a = stats(inproc);
    const t = stats(tls);
    record({ bench: 'cert-e2e', metric: 'agent_cert_inprocess_p99', unit: 'ms', value: a.p99, baseline: 'bare TLS handshake round trip p99', baseline_value: t.p99, count });
    record({ bench: 'cert-e2e', metric: 'agent_cert_inprocess_p50', unit: 'ms', value: a.p50, baseline: 'bare TLS handshake round trip p50', baseline_value: t.p50, count });

    if (existsSync(CLI)) {
      const env = { HOME: agentHome, RADGATE_AGENT_HOME: agentHome };
      await runCli(['cert', '--json'], env);
      const cli = await timeEach(cliCount, () => runCli(['cert', '--json'], env));
      const bare = await timeEach(cliCount, () => runCli(['--version'], env));
      const c = stats(cli);
      const v = stats(bare);
      record({ bench: 'cert-e2e', metric: 'cli_cert_p99', unit: 'ms', value: c.p99, baseline: 'radgate --version process p99', baseline_value: v.p99, count: cliCount });
      record({ bench: 'cert-e2e', metric: 'cli_cert_p50', unit: 'ms', value: c.p50, baseline: 'radgate --version process p50', baseline_value: v.p50, count: cliCount });
    } else line(`cert-e2e: ${CLI} missing (npm run build); CLI round trip not measured`);
    flushJson();
  } finally {
    await broker.close();
    rmSync(brokerHome, { recursive: true, force: true });
    rmSync(path.dirname(agentHome), { recursive: true, force: true });
  }
}
