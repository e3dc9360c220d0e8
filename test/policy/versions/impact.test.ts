// Issue 9: impact preview replays stored decisions (facts recorded beside the audit chain)
// under a proposed set and reports what would flip, within the time window only.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../../src/audit/index.js';
import { createFactsRecorder, createPolicyEngine, createPolicyVersions, NO_AUDIT, type EntityDescription } from '../../../src/policy/index.js';
import { createInProcessBus } from '../../../src/events/index.js';
import { actor, clinicianQuery, FREEZE_CEDAR, versionsFixture } from './fixture.js';

type F = Awaited<ReturnType<typeof versionsFixture>>;
let f: F | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  await f?.close();
  f = cleanup = undefined;
});

describe('impact preview', () => {
  it('counts newly denied decisions per action and names the principals and resources, ignoring decisions outside the window', async () => {
    f = await versionsFixture();
    const clock = { t: Date.parse('2030-01-10T10:00:00Z') };
    const log = await openAuditLog({ store: f.store, home: f.home, checkpointEvery: 100_000, checkpointIntervalSeconds: 0, clock: () => new Date(clock.t) });
    const recorder = createFactsRecorder({ repo: f.store.decisionFacts, flushIntervalMs: 10 });
    const engine = createPolicyEngine({ audit: recorder.wrap(log), cacheTtlSeconds: 0, cacheMaxEntries: 0 });
    const versions = createPolicyVersions({ store: f.store, engine, audit: log, bus: createInProcessBus(() => undefined), policyDir: f.policyDir, emergencyRollback: false, impactWindowDays: 7, clock: () => clock.t });
    cleanup = async () => {
      engine.close();
      await recorder.close();
      await log.close();
    };
    await versions.bootstrap();
    const carol: EntityDescription = { ...clinicianQuery.principal, uid: { type: 'Radgate::User', id: 'carol' } };
    const otherStudy: EntityDescription = { ...clinicianQuery.resource, uid: { type: 'Radgate::Study', id: '9.9' }, attrs: { target: { type: 'Radgate::Target', id: 'pacs-rad' }, department: 'radiology' }, parents: [{ type: 'Radgate::Target', id: 'pacs-rad' }] };
    const decide = (p: EntityDescription, r: EntityDescription, action: 'dicomweb.query' | 'dicomweb.retrieve' = 'dicomweb.query') =>
      engine.authorize(p, action, r, clinicianQuery.context).durable;
    // Ten days ago: outside a 7-day window.
    for (let i = 0; i < 5; i++) await decide(clinicianQuery.principal, clinicianQuery.resource);
    clock.t += 10 * 86_400_000;
    for (let i = 0; i < 3; i++) await decide(clinicianQuery.principal, clinicianQuery.resource);
    await decide(carol, clinicianQuery.resource, 'dicomweb.retrieve');
    for (let i = 0; i < 4; i++) await decide(carol, otherStudy);
    await log.flush();
    await recorder.flush();
    expect(await f.store.decisionFacts.count()).toBe(13);

    const p = await versions.propose(actor('lee'), { ...(await versions.active())!.files, 'freeze.cedar': FREEZE_CEDAR }, 'freeze');
    const report = await versions.impact(p.version.id, 7);
    // Eight data-plane decisions in the window, plus the policy.propose decision itself.
    expect(report.decisions).toBe(9);
    expect(report.replayed).toBe(9);
    expect(report.newlyDenied).toBe(4);
    expect(report.newlyAllowed).toBe(0);
    expect(report.byAction).toEqual([
      { action: 'dicomweb.query', decisions: 7, newlyAllowed: 0, newlyDenied: 3, notReplayable: 0 },
      { action: 'dicomweb.retrieve', decisions: 1, newlyAllowed: 0, newlyDenied: 1, notReplayable: 0 },
      { action: 'policy.propose', decisions: 1, newlyAllowed: 0, newlyDenied: 0, notReplayable: 0 },
    ]);
    expect(report.top.principalsNewlyDenied).toEqual([
      ['Radgate::User::"alice"', 3],
      ['Radgate::User::"carol"', 1],
    ]);
    expect(report.top.resourcesNewlyDenied).toEqual([['Radgate::Study::"1.2.3.4"', 4]]);
    expect(report.examples[0]).toMatchObject({ was: 'allow', now: 'deny', reasons: ['target-frozen'], action: 'dicomweb.query' });
    // The 30-day window reaches the older decisions too; a bad window is refused.
    expect((await versions.impact(p.version.id, 30)).newlyDenied).toBe(9);
    await expect(versions.impact(p.version.id, 0)).rejects.toMatchObject({ reason: 'window-invalid', status: 400 });
    await expect(versions.impact(p.version.id, 1000)).rejects.toMatchObject({ reason: 'window-invalid' });
  });

  it('counts decisions without stored facts as not replayable instead of guessing', async () => {
    f = await versionsFixture();
    const log = await openAuditLog({ store: f.store, home: f.home, checkpointEvery: 100_000, checkpointIntervalSeconds: 0 });
    cleanup = () => log.close();
    // Decisions audited with no facts recorder (as before this change).
    const engine = createPolicyEngine({ audit: log, cacheTtlSeconds: 0, cacheMaxEntries: 0 });
    const versions = createPolicyVersions({ store: f.store, engine, audit: log, bus: createInProcessBus(() => undefined), policyDir: f.policyDir, emergencyRollback: false, impactWindowDays: 7 });
    await versions.bootstrap();
    await engine.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context).durable;
    const p = await versions.propose(actor('lee'), { ...(await versions.active())!.files, 'freeze.cedar': FREEZE_CEDAR }, 'freeze');
    const report = await versions.impact(p.version.id);
    // Two stored decisions: the query and the policy.propose decision; neither has facts.
    expect(report).toMatchObject({ decisions: 2, replayed: 0, notReplayable: 2, newlyDenied: 0 });
    engine.close();
  });

  it('records nothing for replays (NO_AUDIT)', async () => {
    const engine = createPolicyEngine({ audit: NO_AUDIT, cacheTtlSeconds: 0, cacheMaxEntries: 0 });
    f = await versionsFixture();
    await f.versions.bootstrap();
    engine.activate(f.engine.active!);
    const d = engine.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context);
    expect(d.decision).toBe('allow');
    expect(await d.durable).toEqual({ seq: 0, hash: '' });
    engine.close();
    void path;
  });
});
