// `radgate policy versions|propose|diff|impact|rollback|approve`: the built CLI (dist/) as a
// child process, logged in with an admin's agent session file and the pinned broker root,
// against a real broker over HTTPS. Approval stays browser-only (the CLI points to the console).
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgentHome, pinFilePath, writeSession } from '../../src/agent/index.js';
import type { User } from '../../src/identity/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { CLI } from '../helpers/cli.js';
import { runCliToEnd } from '../helpers/cliProcess.js';
import { freePort } from '../helpers/ports.js';
import { REPO_ROOT, testConfig, tmpHome } from '../helpers/tmpHome.js';
import { actor, clinicianQuery, FREEZE_CEDAR } from '../policy/versions/fixture.js';

describe('radgate policy lifecycle verbs (built CLI against a real broker)', () => {
  let broker: Broker;
  let origin: string;
  let home: string;
  let admin: User;
  let seed = '';
  let proposed = '';

  async function makeUser(name: string, roles: string[]): Promise<User> {
    const t = Date.now();
    const tag = randomBytes(4).toString('hex');
    const row = await broker.store.users.upsertFromIdp({ id: `usr_${name}_${tag}`, issuer: 'https://idp.test', subject: `${name}-${tag}`, kind: 'workforce', organization: 'st-mary', department: 'it', displayName: name, email: null, roles: JSON.stringify(roles), createdAt: t, updatedAt: t });
    return (await broker.identity.sessions.getUser(row.id))!;
  }

  /** An agent home holding a session file for `user` and the pinned broker root, as `radgate login` leaves it. */
  async function loginAs(user: User): Promise<string> {
    const agentHome = ensureAgentHome(path.join(mkdtempSync(path.join(home, 'agent-')), 'home'));
    const t = Date.now();
    const { token, session } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', credentialId: 'cred-1', verifiedAt: t });
    writeSession(agentHome, { server: origin, token, sessionId: session.id, expiresAt: new Date(t + 3600_000).toISOString(), user: { id: user.id, displayName: user.displayName, kind: user.kind } });
    writeFileSync(pinFilePath(agentHome, new URL(origin)), broker.ca.rootPem());
    return agentHome;
  }

  const radgate = (agentHome: string, ...args: string[]) => runCliToEnd(['policy', ...args], { RADGATE_AGENT_HOME: agentHome });
  let adminHome = '';

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build it with npx tsc -p tsconfig.build.json`);
    home = tmpHome('radgate-policy-cli-');
    const port = await freePort();
    origin = `https://localhost:${port}`;
    broker = await startBroker(testConfig(home, { 'listen.control.port': port }));
    admin = await makeUser('ada', ['admin', 'policy-admin']);
    adminHome = await loginAs(admin);
    seed = (await broker.policyVersions.active())!.id;
    // Recent decisions for the impact preview: Alice queries a study in pacs-frozen.
    for (let i = 0; i < 3; i++) await broker.policy.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context).durable;
    await broker.audit.flush();
    await new Promise((r) => setTimeout(r, 400)); // decision facts are written in batches every 250 ms
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('versions lists the seeded active version', async () => {
    const r = await radgate(adminHome, 'versions');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${seed.slice(0, 12)}  active\\s+system\\s`, 'm'));
  });

  it('propose refuses a policy with a syntax error, with file:line:col', async () => {
    const dir = mkdtempSync(path.join(home, 'broken-'));
    cpSync(path.join(REPO_ROOT, 'policies'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'broken.cedar'), '// broken\n\npermit (principal, action, resource) when { principal.kind == };\n');
    const r = await radgate(adminHome, 'propose', dir, '--message', 'broken on purpose');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^radgate: HTTP 422: the policy set has 1 error$/m);
    expect(r.stderr).toMatch(/^broken\.cedar:3:\d+: /m);
    expect((await broker.policyVersions.list(50)).filter((v) => v.state === 'proposed')).toHaveLength(0);
  });

  it('propose creates a proposed version after validation and the policy tests', async () => {
    const dir = mkdtempSync(path.join(home, 'freeze-'));
    cpSync(path.join(REPO_ROOT, 'policies'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'freeze.cedar'), FREEZE_CEDAR);
    const r = await radgate(adminHome, 'propose', dir, '--message', 'freeze pacs-frozen for maintenance');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const m = r.stdout.match(/^proposed ([0-9a-f]{12}) \((\d+) policy tests passed\); another administrator approves it in the console: \/console\/policy\/versions\/([0-9a-f]{64})$/m);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    proposed = m![3]!;
    expect(proposed.startsWith(m![1]!)).toBe(true);
    const v = await broker.policyVersions.get(proposed);
    expect(v).toMatchObject({ state: 'proposed', author: admin.id, message: 'freeze pacs-frozen for maintenance' });
    expect(r.stdout).toContain('freeze-pacs-frozen');
    const listed = await radgate(adminHome, 'versions');
    expect(listed.stdout).toMatch(new RegExp(`^${proposed.slice(0, 12)}  proposed\\s+${admin.id}\\s+freeze pacs-frozen`, 'm'));
  });

  it('diff shows the added policy against the active version', async () => {
    const r = await radgate(adminHome, 'diff', proposed.slice(0, 12));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('@@ added freeze-pacs-frozen (freeze.cedar)');
    expect(r.stdout).toMatch(/^\+ @reason\("target-frozen"\)$/m);
    const bad = await radgate(adminHome, 'diff', 'zz-not-a-version');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('HTTP 404');
  });

  it('impact replays recent decisions and reports what the proposal would deny', async () => {
    const r = await radgate(adminHome, 'impact', proposed.slice(0, 12), '--days', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { version: string; newlyDenied: number; newlyAllowed: number; byAction: { action: string; newlyDenied: number }[]; top: { principalsNewlyDenied: [string, number][] } };
    expect(report.version).toBe(proposed.slice(0, 12));
    // Repeats of one decision may be served from the decision cache: at least the first one replays.
    expect(report.newlyDenied).toBeGreaterThanOrEqual(1);
    expect(report.newlyAllowed).toBe(0);
    expect(report.byAction.find((a) => a.action === 'dicomweb.query')?.newlyDenied).toBe(report.newlyDenied);
    expect(report.top.principalsNewlyDenied.map(([p]) => p)).toContain('Radgate::User::"alice"');
    const bad = await radgate(adminHome, 'impact', proposed.slice(0, 12), '--days', '400');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('the impact window is 1-90 days');
  });

  it('approve refuses with the console hint and changes nothing', async () => {
    await broker.audit.flush();
    const before = await broker.store.audit.count();
    const r = await radgate(adminHome, 'approve', proposed.slice(0, 12));
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(`approving needs a WebAuthn step-up, which only the browser console can do: open /console/policy/versions/${proposed.slice(0, 12)} and approve there`);
    expect((await broker.policyVersions.get(proposed)).state).toBe('proposed');
    await broker.audit.flush();
    expect(await broker.store.audit.count()).toBe(before);
  });

  it('rollback proposes going back to the superseded seed version (and refuses a version never active)', async () => {
    // A second administrator approves the proposal (as the console does after her step-up).
    const other = await makeUser('bea', ['admin', 'policy-admin']);
    await broker.policyVersions.approve(actor(other.id), proposed);
    expect((await broker.policyVersions.active())!.id).toBe(proposed);

    const r = await radgate(adminHome, 'rollback', seed.slice(0, 12), '--message', 'maintenance finished');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { version: { id: string; state: string; author: string; message: string } };
    expect(out.version).toMatchObject({ state: 'proposed', author: admin.id, message: 'maintenance finished' });
    // Content-addressed: going back to the seed's files is the seed's own id, proposed again.
    const back = await broker.policyVersions.get(out.version.id);
    expect(back.files).toEqual((await broker.policyVersions.get(seed)).files);
    expect((await broker.policyVersions.active())!.id).toBe(proposed);

    const never = await radgate(adminHome, 'rollback', proposed.slice(0, 12));
    expect(never.status).toBe(1);
    expect(never.stderr).toMatch(/HTTP 409|HTTP 400/);
    expect(never.stderr).toContain('is not a previously active version');
  });

  it('refuses an auditor proposing, and a CLI that is not logged in', async () => {
    const auditorHome = await loginAs(await makeUser('pat', ['auditor']));
    const listed = await radgate(auditorHome, 'versions');
    expect(listed.status).toBe(0);
    const r = await radgate(auditorHome, 'propose', path.join(REPO_ROOT, 'policies'), '--message', 'auditor tries');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HTTP 403: your role can read the console but not change anything');
    const nobody = await radgate(ensureAgentHome(path.join(mkdtempSync(path.join(home, 'nobody-')), 'home')), 'versions');
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toContain('not logged in');
  });
});
