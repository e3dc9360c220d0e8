// Issue 9: policy versions — seeding, proposals (validation and tests), the two-person
// rule with step-up and separation of duties, atomic activation, rollback, emergency
// rollback and diff, against a real SQLite store and the real engine.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionRegistry } from '../../../src/gateway/sessions/index.js';
import { isPolicyVersionError, type PolicyVersionError } from '../../../src/policy/index.js';
import { actor, clinicianQuery, FREEZE_CEDAR, versionsFixture } from './fixture.js';

type F = Awaited<ReturnType<typeof versionsFixture>>;
let f: F | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const lee = actor('lee');
const okafor = actor('okafor');

async function refusal(p: Promise<unknown>): Promise<PolicyVersionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPolicyVersionError(err)) throw new Error(`expected a PolicyVersionError, got ${String(err)}`);
  return err;
}

const types = (x: F) => x.audit.events.map((e) => `${e.type}:${e.outcome}`);

describe('seeding and start-up', () => {
  it('seeds the first version from the policy directory, then activates the database version on later starts', async () => {
    f = await versionsFixture();
    const first = await f.versions.bootstrap();
    expect(first.seeded).toBe(true);
    expect(first.version).toMatch(/^[0-9a-f]{64}$/);
    expect(f.engine.active?.version).toBe(first.version.slice(0, 12));
    const row = await f.store.policyVersions.getActive();
    expect(row?.author).toBe('system');
    expect(Object.keys(JSON.parse(row!.files))).toEqual(expect.arrayContaining(['radgate.cedarschema', 'clinical.cedar', 'tests/clinical.yaml']));
    // Editing the directory afterwards changes nothing: the database holds the active set.
    writeFileSync(path.join(f.policyDir, 'clinical.cedar'), 'this is not cedar');
    const again = await f.make().bootstrap();
    expect(again).toEqual({ version: first.version, seeded: false });
    expect(types(f)).toContain('policy.seed:success');
  });
});

describe('proposals', () => {
  it('stores a valid change as proposed, with its diff per policy id, without activating it', async () => {
    f = await versionsFixture();
    const seed = await f.versions.bootstrap();
    const r = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze pacs-frozen for maintenance');
    expect(r.version.state).toBe('proposed');
    expect(r.version.author).toBe('lee');
    expect(r.diff.added).toEqual(['freeze-pacs-frozen']);
    expect(r.testsPassed).toBeGreaterThan(40);
    expect(f.engine.active?.version).toBe(seed.version.slice(0, 12));
    const propose = f.audit.events.find((e) => e.type === 'policy.propose');
    expect(propose).toMatchObject({ actor: 'Radgate::User::"lee"', outcome: 'success', detail: { version: r.version.id, message: 'freeze pacs-frozen for maintenance' } });
    // The decision went through authorize(): policy.propose on the PolicyChange.
    expect(f.audit.events.some((e) => e.type === 'decision' && e.detail?.action === 'policy.propose' && e.outcome === 'allow')).toBe(true);
  });

  it('refuses a policy with a syntax error, naming the file and line', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const err = await refusal(f.versions.propose(lee, await f.filesWith({ 'broken.cedar': '// ok\n\npermit (principal, action, resource) when { principal.kind == };\n' }), 'broken'));
    expect(err.reason).toBe('policy-invalid');
    expect(err.status).toBe(422);
    expect(err.issues[0]).toMatchObject({ file: 'broken.cedar', line: 3 });
    expect(types(f)).toContain('policy.propose:failure');
    expect((await f.store.policyVersions.list()).filter((r) => r.state === 'proposed')).toHaveLength(0);
  });

  it('refuses a policy that does not match the schema, naming the file and line', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const text = '@id("bad-attr")\npermit (\n  principal,\n  action == Radgate::Action::"dicomweb.query",\n  resource\n) when { principal.shoeSize > 40 };\n';
    const err = await refusal(f.versions.propose(lee, await f.filesWith({ 'schema-bad.cedar': text }), 'schema error'));
    expect(err.reason).toBe('policy-invalid');
    expect(err.issues.some((i) => i.file === 'schema-bad.cedar' && i.line >= 1 && /shoeSize/.test(i.message))).toBe(true);
  });

  it('refuses a change that breaks the deployment tests, listing the failing cases', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const freezeRad = FREEZE_CEDAR.replace('freeze-pacs-frozen', 'freeze-rad').replace('pacs-frozen"', 'pacs-rad"');
    const err = await refusal(f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': freezeRad }), 'freeze radiology'));
    expect(err.reason).toBe('tests-failed');
    expect(err.failedTests.map((t) => t.name)).toContain('clinician queries a study of their own department');
    expect(err.failedTests[0]!.message).toMatch(/expected allow, got deny \[target-frozen\]/);
  });

  it('refuses a change whose own stored tests fail', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const own = `cases:\n  - name: frozen target refuses alice\n    principal: { uid: User::"alice", attrs: { kind: workforce, org: st-mary, department: radiology }, parents: [Role::"clinician"] }\n    action: dicomweb.query\n    resource: { uid: Target::"pacs-frozen", attrs: { kind: pacs-dicomweb } }\n    expect: allow\n`;
    const err = await refusal(f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR, 'tests/freeze.yaml': own }), 'freeze with a wrong test'));
    expect(err.reason).toBe('tests-failed');
    expect(err.failedTests).toEqual([expect.objectContaining({ name: 'frozen target refuses alice', file: 'freeze.yaml#1' })]);
  });

  it('refuses files that are not a policy set: bad names, no schema, no message, the active set again', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const active = (await f.versions.active())!.files;
    expect((await refusal(f.versions.propose(lee, { ...active, '../etc/passwd.cedar': 'x' }, 'm'))).reason).toBe('files-invalid');
    const noSchema = Object.fromEntries(Object.entries(active).filter(([n]) => !n.endsWith('.cedarschema')));
    expect((await refusal(f.versions.propose(lee, noSchema, 'm'))).message).toMatch(/exactly one \.cedarschema/);
    expect((await refusal(f.versions.propose(lee, { ...active, 'x.cedar': 7 as unknown as string }, 'm'))).reason).toBe('files-invalid');
    expect((await refusal(f.versions.propose(lee, { ...active, 'freeze.cedar': FREEZE_CEDAR }, '   '))).reason).toBe('files-invalid');
    expect((await refusal(f.versions.propose(lee, active, 'same again'))).reason).toBe('identical-to-active');
  });

  it('refuses a proposal from someone without the policy-admin role (decided by policy)', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const err = await refusal(f.versions.propose(actor('aud', ['auditor']), await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'auditor tries'));
    expect(err.reason).toBe('not-permitted');
    expect(err.status).toBe(403);
  });
});

describe('two-person approval', () => {
  it('refuses approval by the author (Cedar separation of duties), then activates on a second administrator\'s approval', async () => {
    f = await versionsFixture();
    const seed = await f.versions.bootstrap();
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    const self = await refusal(f.versions.approve(lee, p.version.id));
    expect(self.reason).toBe('self-approval');
    expect(self.message).toMatch(/another administrator must approve/);
    const sodDecision = f.audit.events.find((e) => e.type === 'decision' && e.detail?.action === 'policy.approve');
    expect(sodDecision).toMatchObject({ outcome: 'deny', detail: { reasons: ['separation-of-duties'] } });
    expect((await f.store.policyVersions.get(p.version.id))?.state).toBe('proposed');

    // Before: alice may query the study in pacs-frozen.
    const before = f.engine.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context);
    expect(before.decision).toBe('allow');
    const generation = f.engine.generation;
    const r = await f.versions.approve(okafor, p.version.id.slice(0, 12));
    expect(r.version.state).toBe('active');
    expect(r.version.approvedBy).toBe('okafor');
    expect(r.previous).toBe(seed.version);
    expect(f.engine.active?.version).toBe(p.version.id.slice(0, 12));
    expect(f.engine.generation).toBeGreaterThan(generation);
    const after = f.engine.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context);
    expect(after).toMatchObject({ decision: 'deny', reasons: ['target-frozen'], cached: false });
    expect((await f.store.policyVersions.get(seed.version))?.state).toBe('superseded');
    await f.bus.drain();
    expect(f.events).toContainEqual({ type: 'policy.activated', version: p.version.id.slice(0, 12) });
    const activation = f.audit.events.find((e) => e.type === 'policy.activate');
    expect(activation).toMatchObject({
      actor: 'Radgate::User::"okafor"',
      outcome: 'success',
      detail: { version: p.version.id, previous: seed.version, author: 'lee', approver: 'okafor', diff: { added: ['freeze-pacs-frozen'] } },
    });
    expect(String(activation!.detail!.diffText)).toContain('+ @id("freeze-pacs-frozen")');
  });

  it('demands a fresh security-key verification from the approver', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    const err = await refusal(f.versions.approve(actor('okafor', ['policy-admin'], false), p.version.id));
    expect(err.reason).toBe('step-up-required');
    expect(err.status).toBe(401);
    expect((await f.store.policyVersions.get(p.version.id))?.state).toBe('proposed');
  });

  it('refuses a double approval and the approval of a superseded proposal', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const p1 = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze one');
    const p2 = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR.replace('pacs-frozen"', 'pacs-other"').replace('freeze-pacs-frozen', 'freeze-other') }), 'freeze two');
    await f.versions.approve(okafor, p1.version.id);
    const twice = await refusal(f.versions.approve(okafor, p1.version.id));
    expect(twice.reason).toBe('not-proposed');
    expect(twice.message).toMatch(/is active, not awaiting approval/);
    const stale = await refusal(f.versions.approve(okafor, p2.version.id));
    expect(stale.reason).toBe('not-proposed');
    expect(stale.message).toMatch(/superseded/);
    expect(stale.status).toBe(409);
    expect(f.engine.active?.version).toBe(p1.version.id.slice(0, 12));
  });

  it('refuses a second approval from the same approver at the store (one row per approver)', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    const [a, b] = await Promise.allSettled([f.versions.approve(okafor, p.version.id), f.versions.approve(okafor, p.version.id)]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect((await f.store.policyVersions.approvals(p.version.id)).map((x) => x.approverId)).toEqual(['okafor']);
  });

  it('cuts a live session the activated set now denies', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const registry = createSessionRegistry({ bus: f.bus, audit: f.audit });
    let closedWith: string | undefined;
    const closed = new Promise<number>((resolve) => {
      registry.register({
        gateway: 'http',
        userId: 'alice',
        deviceId: 'dev-1',
        serial: null,
        loginSessionId: null,
        grantId: null,
        target: 'pacs-frozen',
        recheck: () => f!.engine.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context).decision === 'allow',
        close: (reason) => {
          closedWith = reason;
          resolve(performance.now());
        },
      });
    });
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    const t0 = performance.now();
    await f.versions.approve(okafor, p.version.id);
    const t1 = await closed;
    expect(t1 - t0).toBeLessThan(1000);
    expect(closedWith).toBe(`policy-activated:${p.version.id.slice(0, 12)}`);
    registry.close();
  });
});

describe('rollback', () => {
  it('proposes a rollback to a previous version, which needs a second administrator like any change', async () => {
    f = await versionsFixture();
    const seed = await f.versions.bootstrap();
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    await f.versions.approve(okafor, p.version.id);
    const rb = await f.versions.proposeRollback(okafor, seed.version.slice(0, 10));
    expect(rb.version).toMatchObject({ id: seed.version, state: 'proposed', author: 'okafor' });
    expect(rb.diff.removed).toEqual(['freeze-pacs-frozen']);
    expect((await refusal(f.versions.approve(okafor, seed.version))).reason).toBe('self-approval');
    await f.versions.approve(lee, seed.version);
    expect(f.engine.active?.version).toBe(seed.version.slice(0, 12));
    expect(types(f)).toContain('policy.rollback:success');
    expect((await refusal(f.versions.proposeRollback(okafor, seed.version))).reason).toBe('not-a-previous-version');
    expect((await refusal(f.versions.proposeRollback(okafor, 'zzzz'))).reason).toBe('not-found');
  });

  it('refuses an emergency rollback unless the config flag allows it', async () => {
    f = await versionsFixture();
    const seed = await f.versions.bootstrap();
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    await f.versions.approve(okafor, p.version.id);
    const err = await refusal(f.versions.emergencyRollback(lee, seed.version, 'PACS outage'));
    expect(err.reason).toBe('emergency-disabled');
    expect(f.engine.active?.version).toBe(p.version.id.slice(0, 12));
  });

  it('lets one administrator roll back in an emergency when allowed, loudly: webhook, review item, alert audit', async () => {
    f = await versionsFixture({ emergencyRollback: true });
    const seed = await f.versions.bootstrap();
    const p = await f.versions.propose(lee, await f.filesWith({ 'freeze.cedar': FREEZE_CEDAR }), 'freeze');
    await f.versions.approve(okafor, p.version.id);
    expect((await refusal(f.versions.emergencyRollback(actor('lee', ['policy-admin'], false), seed.version, 'outage'))).reason).toBe('step-up-required');
    const r = await f.versions.emergencyRollback(lee, seed.version, 'radiology cannot read studies');
    expect(f.engine.active?.version).toBe(seed.version.slice(0, 12));
    expect(r.version.state).toBe('active');
    expect(f.sent).toEqual([expect.objectContaining({ type: 'policy.emergency-rollback', version: seed.version, by: 'lee', reviewItem: r.reviewItem })]);
    expect(f.audit.events.filter((e) => e.type === 'policy.emergency-rollback').at(-1)).toMatchObject({ outcome: 'alert', detail: { reason: 'radiology cannot read studies', by: 'lee' } });
    // The review item waits in the queue until someone reviews it.
    const db = new Database(f.store.location, { readonly: true });
    try {
      expect(db.prepare('SELECT kind, subject_id AS subjectId, reviewed_at AS reviewedAt, summary FROM review_items WHERE id = ?').get(r.reviewItem)).toEqual({
        kind: 'policy.emergency-rollback',
        subjectId: seed.version,
        reviewedAt: null,
        summary: expect.stringContaining('radiology cannot read studies'),
      });
    } finally {
      db.close();
    }
    // Only previously active versions qualify; a never-activated proposal does not.
    const q = await f.versions.propose(lee, await f.filesWith({ 'other.cedar': FREEZE_CEDAR.replace(/pacs-frozen/g, 'pacs-x') }), 'other');
    expect((await refusal(f.versions.emergencyRollback(lee, q.version.id, 'no'))).reason).toBe('not-a-previous-version');
  });
});

describe('diff', () => {
  it('shows changes per policy id with a line diff, and schema/test file changes', async () => {
    f = await versionsFixture();
    await f.versions.bootstrap();
    const active = (await f.versions.active())!.files;
    const clinical = active['clinical.cedar']!.replace('principal.department', '(principal.department)');
    const p = await f.versions.propose(lee, { ...active, 'clinical.cedar': clinical, 'freeze.cedar': FREEZE_CEDAR }, 'edit');
    const { diff } = await f.versions.diff(p.version.id);
    expect(diff.summary.added).toEqual(['freeze-pacs-frozen']);
    expect(diff.summary.changed.length).toBeGreaterThan(0);
    const changed = diff.policies.find((x) => x.change === 'changed')!;
    expect(changed.lines.filter((l) => l.op === '-').length).toBeGreaterThan(0);
    expect(changed.lines.some((l) => l.op === '+' && l.text.includes('(principal.department)'))).toBe(true);
    expect(diff.files).toEqual([]);
  });
});

