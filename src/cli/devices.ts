// Admin verbs `radgate devices list|approve|revoke` over the control-plane API, with the
// agent's session file and its pinned broker root (verification is never switched off).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { Command } from 'commander';
import { pinFilePath, readSession, resolveAgentHome } from '../agent/index.js';

interface ApiResponse {
  status: number;
  body: unknown;
}

/** One JSON call to the broker as the logged-in agent session. */
export function adminCall(method: 'GET' | 'POST', path: string, o: { home?: string } = {}): Promise<ApiResponse> {
  const home = o.home ?? resolveAgentHome();
  const session = readSession(home);
  if (!session) throw new Error('not logged in; run radgate login --server <url>');
  const url = new URL(path, session.server);
  const ca = readFileSync(pinFilePath(home, new URL(session.server)), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, rejectUnauthorized: true, minVersion: 'TLSv1.2', agent: false, timeout: 30_000, headers: { Accept: 'application/json', Authorization: `Bearer ${session.token}` } });
    req.on('timeout', () => req.destroy(new Error(`${url.origin} did not answer in time`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.end();
  });
}

function failure(res: ApiResponse): string {
  const b = (res.body ?? {}) as { detail?: unknown; reason?: unknown };
  const hint = b.reason === 'step-up-required' ? ' (sign in again with radgate login: approvals need a security-key verification from the last few minutes)' : '';
  return `HTTP ${res.status}${typeof b.detail === 'string' ? `: ${b.detail}` : ''}${hint}`;
}

async function run(method: 'GET' | 'POST', path: string, print: (body: unknown) => void): Promise<void> {
  try {
    const res = await adminCall(method, path);
    if (res.status < 200 || res.status >= 300) {
      process.stderr.write(`radgate: ${failure(res)}\n`);
      process.exitCode = 1;
      return;
    }
    print(res.body);
  } catch (err) {
    process.stderr.write(`radgate: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

interface DeviceRow {
  id: string;
  userId: string;
  name: string;
  state: string;
  tier: string | null;
  postureAt: number | null;
}

export function registerDevicesCommands(program: Command): void {
  const devices = program.command('devices').description('administer enrolled devices (admin role)');
  devices
    .command('list')
    .description('list devices (--state pending|active|revoked)')
    .option('--state <state>', 'only devices in this state')
    .option('--json', 'print JSON')
    .action((o: { state?: string; json?: boolean }) =>
      run('GET', `/admin/devices${o.state ? `?state=${encodeURIComponent(o.state)}` : ''}`, (body) => {
        if (o.json) return void process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        for (const d of body as DeviceRow[]) {
          const posture = d.postureAt ? new Date(d.postureAt).toISOString() : '-';
          process.stdout.write(`${d.id}  ${d.state.padEnd(7)}  ${(d.tier ?? '-').padEnd(9)}  ${posture}  ${d.userId}  ${d.name}\n`);
        }
      }),
    );
  for (const verb of ['approve', 'revoke'] as const) {
    devices
      .command(`${verb} <deviceId>`)
      .description(verb === 'approve' ? 'approve a pending device (needs a recent security-key verification)' : "revoke a device and its certificates (needs a recent security-key verification)")
      .action((id: string) =>
        run('POST', `/admin/devices/${encodeURIComponent(id)}/${verb}`, (body) => {
          const d = body as DeviceRow & { revokedCertificates?: string[] };
          const certs = d.revokedCertificates ? `, ${d.revokedCertificates.length} certificate(s) revoked` : '';
          process.stdout.write(`${d.id}: ${d.state}${certs}\n`);
        }),
      );
  }
}
