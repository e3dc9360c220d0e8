// The policy lifecycle: the active set is a content-addressed version in the database
// (seeded from policy.dir on first start); a change is proposed (validated, tested),
// and activated only when a different administrator approves it after a fresh security-key
// verification. Every step goes through authorize() and is audited.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { EventBus } from '../../events/index.js';
import type { PolicyVersionRow, Store } from '../../store/index.js';
import type { PolicyEngine } from '../createPolicyEngine.js';
import type { AuditSink } from '../decisionAuditEvent.js';
import { isPolicyInvalidError } from '../PolicyInvalidError.js';
import type { DecisionContext, EntityDescription, PolicySet } from '../types.js';
import { diffVersions, type VersionDiff } from './diffVersions.js';
import { diffText } from './lineDiff.js';
import { impactPreview, type ImpactReport } from './impactPreview.js';
import { policySetFromFiles } from './policySetFromFiles.js';
import { PolicyVersionError } from './PolicyVersionError.js';
import { runVersionTests } from './runVersionTests.js';
import { canonicalFiles, parseStoredFiles, readVersionFiles, versionId, type VersionFiles } from './versionFiles.js';

export interface PolicyVersionsDeps {
  store: Pick<Store, 'policyVersions' | 'decisionFacts' | 'auditSearch'>;
  engine: PolicyEngine;
  audit: AuditSink;
  bus: Pick<EventBus, 'emit'>;
  /** Loud notifications (emergency rollback). */
  notifier?: { send(event: { type: string; [k: string]: unknown }): Promise<boolean> };
  /** The deployment's policy directory: the first version's files and the baseline tests. */
  policyDir: string;
  emergencyRollback: boolean;
  impactWindowDays: number;
  clock?: () => number;
}

/** Who acts, as the caller (console, API) established it. */
export interface VersionActor {
  userId: string;
  principal: EntityDescription;
  /** Request context for authorize() (at least `auth`). */
  context: DecisionContext;
  /** The session's last security-key verification is within the step-up window. */
  stepUpFresh: boolean;
}

export interface VersionView {
  id: string;
  short: string;
  state: PolicyVersionRow['state'];
  author: string;
  message: string;
  approvedBy: string | null;
  createdAt: number;
  activatedAt: number | null;
  files: VersionFiles;
  approvals: { approverId: string; createdAt: number }[];
}

export interface ProposalResult {
  version: VersionView;
  diff: VersionDiff['summary'];
  testsPassed: number;
}

const MESSAGE_MAX = 1000;
const ID_PREFIX = /^[0-9a-f]{8,64}$/;

export function createPolicyVersions(deps: PolicyVersionsDeps) {
  const repo = deps.store.policyVersions;
  const clock = deps.clock ?? Date.now;
  const actorUid = (userId: string) => `Radgate::User::${JSON.stringify(userId)}`;
  const change = (id: string, author: string): EntityDescription => ({
    uid: { type: 'Radgate::PolicyChange', id },
    attrs: { author: { type: 'Radgate::User', id: author } },
  });

  const view = async (row: PolicyVersionRow): Promise<VersionView> => ({
    id: row.id,
    short: row.id.slice(0, 12),
    state: row.state,
    author: row.author,
    message: row.message,
    approvedBy: row.approvedBy,
    createdAt: row.createdAt,
    activatedAt: row.activatedAt,
    files: parseStoredFiles(row.files),
    approvals: (await repo.approvals(row.id)).map((a) => ({ approverId: a.approverId, createdAt: a.createdAt })),
  });

  /** A full id, or an unambiguous prefix of at least 8 hex digits. */
  const resolve = async (idOrPrefix: string): Promise<PolicyVersionRow> => {
    const want = String(idOrPrefix).trim().toLowerCase();
    if (!ID_PREFIX.test(want)) throw new PolicyVersionError('not-found', 'a policy version is named by its id (at least 8 hex digits)');
    const exact = want.length === 64 ? await repo.get(want) : undefined;
    if (exact) return exact;
    const hits = (await repo.list(1000)).filter((r) => r.id.startsWith(want));
    if (hits.length !== 1) throw new PolicyVersionError('not-found', hits.length === 0 ? `no policy version ${want}` : `policy version ${want} is ambiguous`);
    return hits[0]!;
  };

  const activeFiles = async (): Promise<VersionFiles | undefined> => {
    const a = await repo.getActive();
    return a ? parseStoredFiles(a.files) : undefined;
  };

  const activateInEngine = (set: PolicySet) => {
    deps.engine.activate(set);
    // Live sessions re-decide under the new set; other replicas reload it.
    deps.bus.emit({ type: 'policy.activated', version: set.version });
  };

  const refuse = async (type: string, actor: VersionActor, detail: Record<string, unknown>, err: PolicyVersionError): Promise<never> => {
    await deps.audit.append({ type, actor: actorUid(actor.userId), outcome: 'failure', detail: { ...detail, reason: err.reason } });
    throw err;
  };

  /** Validate, test and store a proposal (shared by propose and rollback). */
  const proposeFiles = async (actor: VersionActor, input: Readonly<Record<string, unknown>>, message: string, auditType: string, extra: Record<string, unknown> = {}): Promise<ProposalResult> => {
    const msg = typeof message === 'string' ? message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() : '';
    const base = { ...extra };
    if (msg.length === 0 || msg.length > MESSAGE_MAX) return refuse(auditType, actor, base, new PolicyVersionError('files-invalid', `a message of 1-${MESSAGE_MAX} characters is required`));
    let files: VersionFiles;
    try {
      files = canonicalFiles(input);
    } catch (err) {
      return refuse(auditType, actor, base, err as PolicyVersionError);
    }
    const id = versionId(files);
    const detail = { ...base, version: id };
    const d = deps.engine.authorize(actor.principal, 'policy.propose', change(id, actor.userId), actor.context);
    await d.durable;
    if (d.decision !== 'allow') return refuse(auditType, actor, detail, new PolicyVersionError('not-permitted', `you may not propose policy changes (${d.reasons.join(', ')})`));
    const existing = await repo.get(id);
    if (existing?.state === 'active') return refuse(auditType, actor, detail, new PolicyVersionError('identical-to-active', `these files are the active version ${id.slice(0, 12)}`));
    if (existing?.state === 'proposed') return refuse(auditType, actor, detail, new PolicyVersionError('already-proposed', `these files are already proposed as ${id.slice(0, 12)}`));
    let set: PolicySet;
    try {
      set = policySetFromFiles(id, files);
    } catch (err) {
      if (!isPolicyInvalidError(err)) throw err;
      const n = err.issues.length;
      return refuse(auditType, actor, { ...detail, issues: n }, new PolicyVersionError('policy-invalid', `the policy set has ${n} error${n === 1 ? '' : 's'}`, { issues: err.issues, cause: err }));
    }
    const tests = await runVersionTests(set, files, path.join(deps.policyDir, 'tests'));
    if (tests.failed.length > 0) {
      const n = tests.failed.length;
      return refuse(auditType, actor, { ...detail, testsFailed: n }, new PolicyVersionError('tests-failed', `${n} policy test${n === 1 ? '' : 's'} failed`, { failedTests: tests.failed }));
    }
    const now = clock();
    let row: PolicyVersionRow;
    if (existing) {
      const r = await repo.reopen(id, actor.userId, msg, now);
      if (!r.ok) throw new PolicyVersionError('not-proposed', `policy version ${id.slice(0, 12)} changed state; try again`);
      row = r.row;
    } else {
      row = await repo.insert({ id, state: 'proposed', files: JSON.stringify(files), author: actor.userId, message: msg, createdAt: now });
    }
    const diff = diffVersions(await activeFiles(), files).summary;
    await deps.audit.append({ type: auditType, actor: actorUid(actor.userId), outcome: 'success', detail: { ...detail, message: msg, diff, testsPassed: tests.passed } });
    return { version: await view(row), diff, testsPassed: tests.passed };
  };

  return {
    /** At start: seed the first version from policy.dir when the database has none, then activate the DB's active version. */
    async bootstrap(): Promise<{ version: string; seeded: boolean }> {
      let active = await repo.getActive();
      let seeded = false;
      if (!active) {
        const files = canonicalFiles(await readVersionFiles([deps.policyDir]));
        const id = versionId(files);
        policySetFromFiles(id, files); // refuse to seed a broken set
        const now = clock();
        await repo.insert({ id, state: 'proposed', files: JSON.stringify(files), author: 'system', message: `seeded from ${deps.policyDir}`, createdAt: now });
        await repo.activate(id, null, now);
        active = (await repo.getActive())!;
        seeded = true;
        await deps.audit.append({ type: 'policy.seed', actor: 'system', outcome: 'success', detail: { version: id, source: deps.policyDir } });
      }
      deps.engine.activate(policySetFromFiles(active.id, parseStoredFiles(active.files)));
      return { version: active.id, seeded };
    },

    propose: (actor: VersionActor, files: Readonly<Record<string, unknown>>, message: string) => proposeFiles(actor, files, message, 'policy.propose'),

    /** A rollback is a proposal of an earlier active version's files; it needs approval like any other. */
    async proposeRollback(actor: VersionActor, target: string, message?: string): Promise<ProposalResult> {
      const row = await resolve(target);
      if (row.state === 'active' || row.activatedAt === null) {
        return refuse('policy.rollback', actor, { version: row.id }, new PolicyVersionError('not-a-previous-version', `version ${row.id.slice(0, 12)} is not a previously active version`));
      }
      return proposeFiles(actor, parseStoredFiles(row.files), message ?? `rollback to ${row.id.slice(0, 12)}`, 'policy.rollback', { rollbackTo: row.id });
    },

    /** Two-person rule: a different administrator, freshly verified, activates a proposal. */
    async approve(actor: VersionActor, target: string): Promise<{ version: VersionView; previous: string | null; diff: VersionDiff['summary'] }> {
      const row = await resolve(target);
      const detail = { version: row.id, author: row.author };
      if (row.state !== 'proposed') {
        return refuse('policy.approve', actor, { ...detail, state: row.state }, new PolicyVersionError('not-proposed', `version ${row.id.slice(0, 12)} is ${row.state}, not awaiting approval`));
      }
      const d = deps.engine.authorize(actor.principal, 'policy.approve', change(row.id, row.author), actor.context);
      await d.durable;
      if (d.decision !== 'allow') {
        const sod = d.reasons.includes('separation-of-duties');
        return refuse(
          'policy.approve',
          actor,
          { ...detail, reasons: [...d.reasons] },
          sod
            ? new PolicyVersionError('self-approval', 'you proposed this change, so another administrator must approve it (separation of duties)')
            : new PolicyVersionError('not-permitted', `you may not approve policy changes (${d.reasons.join(', ')})`),
        );
      }
      // The two-person rule holds even if a policy set ever dropped its separation-of-duties forbid.
      if (row.author === actor.userId) return refuse('policy.approve', actor, detail, new PolicyVersionError('self-approval', 'you proposed this change, so another administrator must approve it (separation of duties)'));
      // Checked after separation of duties, so an author learns at once that someone else must approve.
      if (!actor.stepUpFresh) return refuse('policy.approve', actor, detail, new PolicyVersionError('step-up-required', 'approving a policy change needs a fresh security-key confirmation'));
      const files = parseStoredFiles(row.files);
      const set = policySetFromFiles(row.id, files);
      const before = await activeFiles();
      const r = await repo.approveAndActivate(row.id, actor.userId, clock());
      if (!r.ok) {
        const err =
          r.reason === 'already-approved'
            ? new PolicyVersionError('already-approved', `you already approved version ${row.id.slice(0, 12)}`)
            : new PolicyVersionError('not-proposed', `version ${row.id.slice(0, 12)} is ${r.row?.state ?? 'gone'}, not awaiting approval`);
        return refuse('policy.approve', actor, detail, err);
      }
      activateInEngine(set);
      const diff = diffVersions(before, files);
      await deps.audit.append({
        type: 'policy.activate',
        actor: actorUid(actor.userId),
        outcome: 'success',
        detail: { version: row.id, previous: r.previousActive?.id ?? null, author: row.author, approver: actor.userId, message: row.message, diff: diff.summary, diffText: boundedDiffText(diff) },
      });
      return { version: await view(r.row), previous: r.previousActive?.id ?? null, diff: diff.summary };
    },

    /** One administrator re-activates a previous version at once: only with admin.emergencyRollback, and loudly. */
    async emergencyRollback(actor: VersionActor, target: string, reason: string): Promise<{ version: VersionView; previous: string | null; reviewItem: string }> {
      const row = await resolve(target);
      const detail = { version: row.id };
      if (!deps.emergencyRollback) return refuse('policy.emergency-rollback', actor, detail, new PolicyVersionError('emergency-disabled', 'emergency rollback is turned off (admin.emergencyRollback)'));
      if (!actor.stepUpFresh) return refuse('policy.emergency-rollback', actor, detail, new PolicyVersionError('step-up-required', 'an emergency rollback needs a fresh security-key confirmation'));
      const why = typeof reason === 'string' ? reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() : '';
      if (why.length === 0 || why.length > MESSAGE_MAX) return refuse('policy.emergency-rollback', actor, detail, new PolicyVersionError('files-invalid', 'a reason is required'));
      const d = deps.engine.authorize(actor.principal, 'policy.propose', change(row.id, actor.userId), actor.context);
      await d.durable;
      if (d.decision !== 'allow') return refuse('policy.emergency-rollback', actor, detail, new PolicyVersionError('not-permitted', `you may not change policy (${d.reasons.join(', ')})`));
      if (row.state !== 'superseded' || row.activatedAt === null) {
        return refuse('policy.emergency-rollback', actor, detail, new PolicyVersionError('not-a-previous-version', `version ${row.id.slice(0, 12)} is not a previously active version`));
      }
      const set = policySetFromFiles(row.id, parseStoredFiles(row.files));
      const reviewItem = randomUUID();
      const summary = `emergency policy rollback to ${row.id.slice(0, 12)} by ${actor.userId}: ${why}`;
      const r = await repo.emergencyActivate(row.id, actor.userId, clock(), { id: reviewItem, kind: 'policy.emergency-rollback', summary });
      if (!r.ok) return refuse('policy.emergency-rollback', actor, detail, new PolicyVersionError('not-a-previous-version', `version ${row.id.slice(0, 12)} changed state`));
      activateInEngine(set);
      await deps.audit.append({
        type: 'policy.emergency-rollback',
        actor: actorUid(actor.userId),
        outcome: 'alert',
        detail: { version: row.id, previous: r.previousActive?.id ?? null, by: actor.userId, reason: why, reviewItem },
      });
      void deps.notifier?.send({ type: 'policy.emergency-rollback', version: row.id, previous: r.previousActive?.id ?? null, by: actor.userId, reason: why, reviewItem });
      return { version: await view(r.row), previous: r.previousActive?.id ?? null, reviewItem };
    },

    async list(limit = 100): Promise<VersionView[]> {
      return Promise.all((await repo.list(Math.min(Math.max(1, limit), 1000))).map(view));
    },
    async get(idOrPrefix: string): Promise<VersionView> {
      return view(await resolve(idOrPrefix));
    },
    async active(): Promise<VersionView | undefined> {
      const a = await repo.getActive();
      return a ? view(a) : undefined;
    },
    /** `from` undefined: against the active version (or nothing, for the active one itself). */
    async diff(to: string, from?: string): Promise<{ from: string | null; to: string; diff: VersionDiff }> {
      const b = await resolve(to);
      const a = from ? await resolve(from) : await repo.getActive();
      const base = a && a.id !== b.id ? a : undefined;
      return { from: base?.id ?? null, to: b.id, diff: diffVersions(base ? parseStoredFiles(base.files) : undefined, parseStoredFiles(b.files)) };
    },
    /** Replays the last `days` of decisions under version `id`. */
    async impact(id: string, days = deps.impactWindowDays): Promise<ImpactReport> {
      if (!Number.isInteger(days) || days < 1 || days > 90) throw new PolicyVersionError('window-invalid', 'the impact window is 1-90 days');
      const row = await resolve(id);
      const set = policySetFromFiles(row.id, parseStoredFiles(row.files));
      return impactPreview(deps.store, set, { since: new Date(clock() - days * 86_400_000) });
    },
  };
}

export type PolicyVersions = ReturnType<typeof createPolicyVersions>;

/** The diff as text for the activation audit event, within the event size bound. */
function boundedDiffText(diff: VersionDiff): string {
  const parts = [
    ...diff.policies.map((p) => `@@ ${p.change} ${p.id} (${p.file})\n${diffText(p.lines.filter((l) => l.op !== ' '))}`),
    ...diff.files.map((f) => `@@ ${f.change} ${f.name}\n${diffText(f.lines.filter((l) => l.op !== ' '))}`),
  ];
  const text = parts.join('\n');
  return text.length > 16_000 ? `${text.slice(0, 16_000)}\n… (truncated)` : text;
}
