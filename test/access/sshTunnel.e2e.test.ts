// Issue 7 end to end with real peers: a real OpenSSH server behind the tunnel gateway.
// A vendor asks with the built `radgate request`; the approver's CLI honestly says it
// cannot do the step-up and names the page; the approver's browser session does the
// WebAuthn step-up (software authenticator, real @simplewebauthn verification) and
// approves on that page; `radgate tunnel` listens locally; `ssh -p <local>` runs a command
// through it; the grant is revoked and the open ssh connection dies within a second.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinFilePath } from '../../src/agent/serverTrust.js';
import { csrfToken, SESSION_COOKIE, type User } from '../../src/identity/index.js';
import { SoftAuthenticator } from '../../src/identity/webauthn/softAuthenticator.testkit.js';
import { startBroker, type Broker } from '../../src/server.js';
import { CLI } from '../helpers/cli.js';
import { runCli, runCliToEnd, type RunningCli } from '../helpers/cliProcess.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

const SSHD = '/usr/sbin/sshd';
const haveSsh = existsSync(SSHD) && spawnSync('ssh', ['-V']).status === 0;
if (!haveSsh && process.env.CI === 'true') throw new Error('OpenSSH (openssh-server, openssh-client) is required under CI; apt-get install -y openssh-server openssh-client');
if (!existsSync(CLI) && process.env.CI === 'true') throw new Error(`${CLI} is missing: run npm run build first`);

interface Https {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe.skipIf((!haveSsh || !existsSync(CLI)) && process.env.CI !== 'true')('vendor access over a tunnel to a real OpenSSH server', () => {
  let broker: Broker;
  let base: string;
  let sshd: ChildProcess;
  let sshPort: number;
  let sshDir: string;
  let vendorHome: string;
  let approverHome: string;
  let vendor: User;
  let approver: User;
  let tunnelCli: RunningCli | undefined;
  let localPort: number;
  let requestId: string;
  let grantId: string;
  let cookie: string;
  let csrf: string;
  const key = () => path.join(sshDir, 'client_ed25519');

  function https(method: string, p: string, o: { body?: string; type?: string; headers?: Record<string, string> } = {}): Promise<Https> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(new URL(p, base), { method, ca: broker.ca.rootPem(), headers: { ...(o.body !== undefined ? { 'content-type': o.type ?? 'application/json' } : {}), ...o.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(o.body);
    });
  }
  const browser = (method: string, p: string, o: { body?: string; type?: string } = {}) =>
    https(method, p, { ...o, headers: { cookie: `${SESSION_COOKIE}=${cookie}`, origin: base, ...(method === 'POST' && o.type !== 'application/x-www-form-urlencoded' ? { 'x-csrf-token': csrf } : {}) } });

  async function agentHome(user: User, o: { verifiedAt?: number; deviceId?: string } = {}): Promise<string> {
    const home = tmpHome('radgate-agent-');
    chmodSync(home, 0o700);
    const t = Date.now();
    const { token, session } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', credentialId: 'cred-agent', verifiedAt: o.verifiedAt ?? t });
    const write = (f: string, text: string) => writeFileSync(path.join(home, f), text, { mode: 0o600 });
    write('session.json', JSON.stringify({ server: base, token, sessionId: session.id, expiresAt: new Date(session.expiresAt).toISOString(), user: { id: user.id, displayName: user.displayName, kind: user.kind } }));
    writeFileSync(pinFilePath(home, new URL(base)), broker.ca.rootPem(), { mode: 0o600 });
    if (o.deviceId) write('device.json', JSON.stringify({ deviceId: o.deviceId, server: base, state: 'active', enrolledAt: new Date(t).toISOString() }));
    return home;
  }

  async function makeUser(name: string, kind: 'vendor' | 'workforce', org: string, roles: string[]): Promise<User> {
    const t = Date.now();
    const row = await broker.store.users.upsertFromIdp({ id: `usr_${name}`, issuer: 'https://idp.test', subject: name, kind, organization: org, department: 'radiology', displayName: name, email: null, roles: JSON.stringify(roles), createdAt: t, updatedAt: t });
    return (await broker.identity.sessions.getUser(row.id))!;
  }

  const ssh = (args: string[]) => ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10', '-i', key(), '-p', String(localPort), `${process.env.USER ?? 'root'}@127.0.0.1`, ...args];

  /** ssh as a child process without blocking this process (the broker and gateway run here). */
  function sshRun(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('ssh', ssh(args), { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    // sshd wants absolute paths, private key files and (as root) its privilege-separation directory.
    sshDir = mkdtempSync(path.join(tmpHome('radgate-sshd-'), 'd'));
    chmodSync(sshDir, 0o700);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(sshDir, 'host_ed25519')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key()]);
    writeFileSync(path.join(sshDir, 'authorized_keys'), readFileSync(`${key()}.pub`), { mode: 0o600 });
    sshPort = await freePort();
    const config = [
      `Port ${sshPort}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(sshDir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${path.join(sshDir, 'authorized_keys')}`,
      `PidFile ${path.join(sshDir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
    ].join('\n');
    writeFileSync(path.join(sshDir, 'sshd_config'), `${config}\n`, { mode: 0o600 });
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(sshDir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let sshdErr = '';
    sshd.stderr!.on('data', (d: Buffer) => (sshdErr += d.toString()));
    for (let i = 0; ; i++) {
      if (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${sshPort}`]).status === 0) break;
      if (i > 100 || sshd.exitCode !== null) throw new Error(`sshd did not start: ${sshdErr}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const home = tmpHome('radgate-e2e-');
    const port = await freePort();
    broker = await startBroker(
      testConfig(home, {
        'listen.control.port': port,
        'gateways.tunnel.enabled': true,
        'gateways.tunnel.listen.port': 0,
        'access.targets': [{ name: 'ssh-lab', address: `127.0.0.1:${sshPort}`, labels: { site: 'main', department: 'radiology', risk: 'low' } }],
      }),
    );
    base = broker.url;
    vendor = await makeUser('vic', 'vendor', 'acme-imaging', ['vendor']);
    approver = await makeUser('ada', 'workforce', 'st-mary', ['access-approver']);
    const t = Date.now();
    const deviceId = 'dev_vic_laptop';
    const { publicKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
    await broker.store.devices.insert({ id: deviceId, userId: vendor.id, name: 'vic-laptop', publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string, state: 'active', createdAt: t, updatedAt: t });
    await broker.store.devices.recordPosture({ deviceId, collectedAt: t, receivedAt: t, signals: '{}', tier: 'standard', reasons: '[]' });
    vendorHome = await agentHome(vendor, { deviceId });
    // The approver's agent signed in 20 minutes ago: too long ago for a step-up.
    approverHome = await agentHome(approver, { verifiedAt: Date.now() - 20 * 60_000 });
  }, 60_000);

  afterAll(async () => {
    tunnelCli?.child.kill('SIGTERM');
    sshd?.kill('SIGTERM');
    await broker?.close();
  });

  it('the vendor asks for access with radgate request', async () => {
    const r = await runCliToEnd(['request', '--target', 'ssh-lab', '--duration', '1h', '--reason', 'renew the modality worklist certificate', '--ticket', 'CHG-4711', '--json'], { RADGATE_AGENT_HOME: vendorHome });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; state: string; requesterId: string };
    expect(out).toMatchObject({ state: 'pending', requesterId: vendor.id });
    requestId = out.id;
  });

  it('lists targets and requests from the CLI; a tunnel without a grant is refused before listening', async () => {
    const targets = await runCliToEnd(['targets', 'list', '--json'], { RADGATE_AGENT_HOME: vendorHome });
    expect(targets.status).toBe(0);
    expect(JSON.parse(targets.stdout)).toEqual([expect.objectContaining({ name: 'ssh-lab', kind: 'tcp', labels: { site: 'main', department: 'radiology', risk: 'low' } })]);
    const pending = await runCliToEnd(['requests', 'list', '--json'], { RADGATE_AGENT_HOME: approverHome });
    expect(pending.status).toBe(0);
    expect(JSON.parse(pending.stdout).map((r: { id: string }) => r.id)).toEqual([requestId]);
    const early = await runCliToEnd(['tunnel', 'ssh-lab', '--listen', '127.0.0.1:0'], { RADGATE_AGENT_HOME: vendorHome });
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('no active grant for ssh-lab');
  });

  it('the approver’s CLI cannot do the step-up and says which page to use, changing nothing', async () => {
    const r = await runCliToEnd(['requests', 'approve', requestId], { RADGATE_AGENT_HOME: approverHome });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot perform');
    expect(r.stderr).toContain(`${base}/access/approvals/${requestId}`);
    expect((await broker.store.access.getRequest(requestId))?.state).toBe('pending');
  });

  it('a different user approves on the page after a WebAuthn step-up', async () => {
    // Sign-in: OIDC is done (session minted), the first security key is registered in this session.
    const { token, session } = await broker.identity.sessions.createSession({ user: approver, kind: 'browser', idp: 'test', amr: ['oidc'], idpSid: null, oidcAt: Date.now(), state: 'pending-key' });
    cookie = token;
    csrf = csrfToken(session);
    const authenticator = new SoftAuthenticator({ origin: base, rpId: 'localhost' });
    const regOptions = await browser('POST', '/auth/webauthn/register/options', { body: '{}' });
    expect(regOptions.status).toBe(200);
    const reg = await browser('POST', '/auth/webauthn/register/verify', { body: JSON.stringify({ response: authenticator.register(JSON.parse(regOptions.body)), name: 'YubiKey' }) });
    expect(reg.status).toBe(200);

    // Later: the key verification is old, so the page sends the browser to the step-up first.
    const stale = await staleSession();
    cookie = stale.token;
    csrf = csrfToken(stale.session);
    const page = await browser('GET', `/access/approvals/${requestId}`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/auth/step-up?return_to=${encodeURIComponent(`/access/approvals/${requestId}`)}`);
    const early = await browser('POST', `/access/approvals/${requestId}/approve`, { body: `_csrf=${encodeURIComponent(csrf)}`, type: 'application/x-www-form-urlencoded' });
    expect(early.status).toBe(303);
    expect((await broker.store.access.getRequest(requestId))?.state).toBe('pending');

    // The step-up ceremony with the registered key, then the page shows the request and the buttons.
    const opts = await browser('POST', '/auth/webauthn/step-up/options', { body: '{}' });
    expect(opts.status).toBe(200);
    const verified = await browser('POST', '/auth/webauthn/step-up/verify', { body: JSON.stringify({ response: authenticator.authenticate(JSON.parse(opts.body)) }) });
    expect(verified.status).toBe(200);
    const shown = await browser('GET', `/access/approvals/${requestId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('renew the modality worklist certificate');
    expect(shown.body).toContain(`/access/approvals/${requestId}/approve`);
    const approved = await browser('POST', `/access/approvals/${requestId}/approve`, { body: `_csrf=${encodeURIComponent(csrf)}`, type: 'application/x-www-form-urlencoded' });
    expect(approved.status).toBe(303);
    expect(decodeURIComponent(String(approved.headers.location))).toMatch(/approved: grant grt_/);
    const grants = await broker.store.access.listGrants({ userId: vendor.id, state: 'active' });
    expect(grants).toHaveLength(1);
    grantId = grants[0]!.id;
    // The approvals page lists nothing pending any more.
    const list = await browser('GET', '/access/approvals');
    expect(list.status).toBe(200);
    expect(list.body).toContain('No pending requests.');

    // The break-glass page (same fresh session): an approver without break-glass rights is refused on the page.
    const form = await browser('GET', '/access/breakglass');
    expect(form.status).toBe(200);
    expect(form.body).toContain('<option value="ssh-lab">');
    const bg = await browser('POST', '/access/breakglass/form', { body: `_csrf=${encodeURIComponent(csrf)}&target=ssh-lab&reason=${encodeURIComponent('worklist down in the ED')}`, type: 'application/x-www-form-urlencoded' });
    expect(bg.status).toBe(403);
    expect(bg.body).toContain('denied by policy (no-permit)');
    expect(await broker.store.access.listGrants({ userId: approver.id })).toEqual([]);

    async function staleSession() {
      const [cred] = await broker.store.webauthn.listForUser(approver.id);
      expect(cred).toBeDefined();
      return broker.identity.sessions.createSession({ user: approver, kind: 'browser', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: Date.now() - 11 * 60_000, state: 'active', credentialId: cred!.id, verifiedAt: Date.now() - 10 * 60_000 });
    }
  });

  it('radgate tunnel listens locally and ssh runs a command through it', async () => {
    localPort = await freePort();
    tunnelCli = runCli(['tunnel', 'ssh-lab', '--listen', `127.0.0.1:${localPort}`], { RADGATE_AGENT_HOME: vendorHome });
    await tunnelCli.waitFor(/Tunnel to ssh-lab listening on 127\.0\.0\.1:\d+ \(grant (grt_\S+) until/);
    expect(tunnelCli.stderr).toContain(grantId);
    const r = await sshRun(['echo', 'through-the-tunnel', '$((6*7))']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('through-the-tunnel 42');
    expect(r.status).toBe(0);
    // The certificate the agent got for the grant expires no later than the grant.
    const grant = (await broker.store.access.getGrant(grantId))!;
    const forGrant = (await broker.store.certificates.list({ userId: vendor.id })).filter((c) => c.grantId === grantId);
    expect(forGrant).toHaveLength(1);
    expect(forGrant[0]!.notAfter).toBeLessThanOrEqual(grant.endAt);
  });

  it('shows the grant with radgate grants list; break-glass from a CLI without a fresh step-up names its page', async () => {
    const g = await runCliToEnd(['grants', 'list', '--json'], { RADGATE_AGENT_HOME: vendorHome });
    expect(g.status).toBe(0);
    expect(JSON.parse(g.stdout)).toEqual([expect.objectContaining({ id: grantId, target: 'ssh-lab', state: 'active', live: true })]);
    const bg = await runCliToEnd(['breakglass', '--target', 'ssh-lab', '--reason', 'worklist down in the ED'], { RADGATE_AGENT_HOME: approverHome });
    expect(bg.status).toBe(1);
    expect(bg.stderr).toContain(`${base}/access/breakglass`);
    expect(await broker.store.access.listGrants({ userId: approver.id })).toEqual([]);
  });

  it('revoking the grant kills the open ssh connection within a second', async () => {
    const session = spawn('ssh', ssh(['sleep', '60']), { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number>((resolve) => session.once('exit', () => resolve(Date.now())));
    // Wait until the tunnel is open at the gateway (a live session with the grant).
    for (let i = 0; broker.liveSessions.list().filter((s) => s.grantId === grantId).length === 0; i++) {
      if (i > 200) throw new Error('the ssh session never opened a tunnel');
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300)); // ssh authenticated and running `sleep`
    expect(session.exitCode).toBeNull();
    const t0 = Date.now();
    const rv = await browser('POST', `/access/grants/${grantId}/revoke`, { body: JSON.stringify({ reason: 'work finished' }) });
    expect(rv.status).toBe(200);
    const at = await exited;
    expect(at - t0).toBeLessThan(1000);
    expect(session.exitCode).not.toBe(0);
    // A new connection is refused: the grant's certificate was revoked with it.
    const again = await sshRun(['true']);
    expect(again.status).not.toBe(0);
    await tunnelCli!.waitFor(/refused by the gateway \(certificate-revoked\)/);
  });
});
