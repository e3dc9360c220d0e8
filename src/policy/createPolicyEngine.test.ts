import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalizeCjs from 'canonicalize';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../audit/types.js';
import { createInProcessBus } from '../events/index.js';
import { createPolicyEngine } from './createPolicyEngine.js';
import { loadPolicySet } from './loadPolicySet.js';
import { createMemoryAuditSink } from './memoryAuditSink.js';
import { parsePolicySet } from './parsePolicySet.js';
import type { DecisionContext, EntityDescription, PolicySet } from './types.js';

const canonicalize = canonicalizeCjs as unknown as (v: unknown) => string;
const POLICY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies');

const alice = (): EntityDescription => ({
  uid: { type: 'Radgate::User', id: 'alice' },
  attrs: { kind: 'workforce', org: 'st-mary', department: 'radiology' },
  parents: [{ type: 'Radgate::Role', id: 'clinician' }],
});
const study = (): EntityDescription => ({
  uid: { type: 'Radgate::Study', id: '1.2.3' },
  attrs: { target: { type: 'Radgate::Target', id: 'pacs-rad' }, department: 'radiology' },
  parents: [{ type: 'Radgate::Target', id: 'pacs-rad' }],
});
const healthy = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  auth: { methods: ['oidc', 'webauthn'], webauthn: true, ageSeconds: 100 },
  device: { id: 'dev-1', managed: true, tier: 'high', stale: false, postureAgeSeconds: 30 },
  network: { source: '10.0.0.1' },
  ...over,
});

/** A tiny set for engine mechanics, validated like any other. */
function tinySet(policies: string): PolicySet {
  const schema = `namespace T {
    entity User { n?: Long };
    entity Doc;
    action "read" appliesTo { principal: User, resource: Doc, context: { n?: Long, ok?: Bool } };
  }`;
  return parsePolicySet({ source: 'mem', schema: { file: 'mem/t.cedarschema', text: schema }, policies: [{ file: 'mem/t.cedar', text: policies }] });
}
const tUser = { uid: { type: 'T::User', id: 'u' } };
const tDoc = { uid: { type: 'T::Doc', id: 'd' } };

let shipped: PolicySet;
beforeAll(async () => {
  shipped = await loadPolicySet(POLICY_DIR);
});

function engineWith(set: PolicySet, opts: { ttl?: number; max?: number; clock?: () => number } = {}) {
  const audit = createMemoryAuditSink();
  const engine = createPolicyEngine({ audit, cacheTtlSeconds: opts.ttl ?? 60, cacheMaxEntries: opts.max ?? 1000, ...(opts.clock ? { clock: opts.clock } : {}) });
  engine.activate(set);
  return { engine, audit };
}

describe('authorize: decisions', () => {
  it('denies with no-permit when no policy permits (default deny)', async () => {
    const { engine } = engineWith(tinySet('@id("never") permit (principal, action, resource) when { false };'));
    const d = engine.authorize(tUser, 'read' as never, tDoc, {});
    expect(d.decision).toBe('deny');
    expect(d.reasons).toEqual(['no-permit']);
    expect(d.policyIds).toEqual([]);
    await d.durable;
  });

  it('lets a matching forbid win over a matching permit and reports its @reason', () => {
    const { engine } = engineWith(
      tinySet('@id("all") permit (principal, action, resource);\n@id("no") @reason("blocked") forbid (principal, action, resource) when { context has ok && context.ok };'),
    );
    expect(engine.authorize(tUser, 'read' as never, tDoc, {}).decision).toBe('allow');
    const d = engine.authorize(tUser, 'read' as never, tDoc, { ok: true } as DecisionContext);
    expect(d).toMatchObject({ decision: 'deny', policyIds: ['no'], reasons: ['blocked'] });
  });

  it('denies with engine-error when a forbid errs at runtime even though a permit matched', () => {
    // Long overflow makes the forbid err; Cedar skips erroring policies and would allow.
    const { engine } = engineWith(
      tinySet('@id("all") permit (principal, action, resource);\n@id("overflow") forbid (principal, action, resource) when { context has n && context.n * 4611686018427387904 > 0 };'),
    );
    const d = engine.authorize(tUser, 'read' as never, tDoc, { n: 4 } as DecisionContext);
    expect(d.decision).toBe('deny');
    expect(d.reasons).toContain('engine-error');
    expect(d.errors[0]?.policyId).toBe('overflow');
    expect(engine.authorize(tUser, 'read' as never, tDoc, { n: 0 } as DecisionContext).decision).toBe('allow');
  });

  it('denies with engine-error when the context does not match the schema', () => {
    const { engine } = engineWith(shipped);
    const bad = engine.authorize(alice(), 'dicomweb.query', study(), { ...healthy(), device: { id: 'd', managed: true, tier: 'high', stale: 'no' } } as never);
    expect(bad).toMatchObject({ decision: 'deny', reasons: ['engine-error'] });
    expect(bad.errors[0]?.message).toMatch(/context\.device\.stale/);
    const unknownField = engine.authorize(alice(), 'dicomweb.query', study(), { ...healthy(), trustMe: true } as never);
    expect(unknownField.reasons).toEqual(['engine-error']);
  });

  it('denies with engine-error when an entity is missing required data', () => {
    const { engine } = engineWith(shipped);
    const noKind = { ...alice(), attrs: { org: 'st-mary', department: 'radiology' } };
    const d = engine.authorize(noKind, 'dicomweb.query', study(), healthy());
    expect(d).toMatchObject({ decision: 'deny', reasons: ['engine-error'] });
    expect(d.errors[0]?.message).toMatch(/kind: missing/);
  });

  it('denies with engine-error for an unknown action, a wrong resource type, and before any set is active', () => {
    const { engine } = engineWith(shipped);
    expect(engine.authorize(alice(), 'dicomweb.delete' as never, study(), healthy()).reasons).toEqual(['engine-error']);
    expect(engine.authorize(alice(), 'policy.approve', study(), healthy()).reasons).toEqual(['engine-error']);
    const idle = createPolicyEngine({ audit: createMemoryAuditSink(), cacheTtlSeconds: 1, cacheMaxEntries: 10 });
    expect(idle.ready()).toBe(false);
    expect(idle.authorize(alice(), 'dicomweb.query', study(), healthy())).toMatchObject({ decision: 'deny', reasons: ['engine-error'] });
  });

  it('refuses extra entities of the Action type, so callers cannot forge action groups', () => {
    const { engine } = engineWith(shipped);
    const forged = { uid: { type: 'Radgate::Action', id: 'policy.approve' }, parents: [{ type: 'Radgate::Action', id: 'imaging.read' }] };
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy(), [forged]).reasons).toEqual(['engine-error']);
  });

  it('compares entity references in attributes: self-approval of a policy change is forbidden', () => {
    const { engine } = engineWith(shipped);
    const ada = { uid: { type: 'Radgate::User', id: 'ada' }, attrs: { kind: 'workforce', org: 'st-mary' }, parents: [{ type: 'Radgate::Role', id: 'policy-admin' }] };
    const own = { uid: { type: 'Radgate::PolicyChange', id: 'c1' }, attrs: { author: { type: 'Radgate::User', id: 'ada' } } };
    const other = { uid: { type: 'Radgate::PolicyChange', id: 'c2' }, attrs: { author: { type: 'Radgate::User', id: 'ben' } } };
    expect(engine.authorize(ada, 'policy.approve', own, {})).toMatchObject({ decision: 'deny', reasons: ['separation-of-duties'] });
    expect(engine.authorize(ada, 'policy.approve', other, {})).toMatchObject({ decision: 'allow', policyIds: ['admin-approve-policy'] });
  });
});

describe('authorize: decision cache', () => {
  it('answers a repeated request from the cache', () => {
    const { engine } = engineWith(shipped);
    const p = alice();
    const r = study();
    expect(engine.authorize(p, 'dicomweb.query', r, healthy()).cached).toBe(false);
    const again = engine.authorize(p, 'dicomweb.query', r, healthy());
    expect(again).toMatchObject({ decision: 'allow', cached: true, policyIds: ['clinician-read-own-department'] });
  });

  it('shares an entry across time-varying numbers no policy compares differently', () => {
    const { engine } = engineWith(shipped);
    engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    const older = healthy({ device: { id: 'dev-1', managed: true, tier: 'high', stale: false, postureAgeSeconds: 290 } });
    expect(engine.authorize(alice(), 'dicomweb.query', study(), older).cached).toBe(true);
  });

  it('does not answer a stale-posture request from a cached allow', () => {
    const { engine } = engineWith(shipped);
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).decision).toBe('allow');
    const stale = healthy({ device: { id: 'dev-1', managed: true, tier: 'high', stale: true, postureAgeSeconds: 30 } });
    const d = engine.authorize(alice(), 'dicomweb.query', study(), stale);
    expect(d).toMatchObject({ decision: 'deny', cached: false, reasons: ['posture-stale'] });
  });

  it('does not reuse a break-glass allow once the step-up crosses five minutes', () => {
    const { engine } = engineWith(shipped);
    const ctx = (age: number) => healthy({ auth: { methods: ['webauthn'], webauthn: true, ageSeconds: age } });
    expect(engine.authorize(alice(), 'breakglass.invoke', study(), ctx(10)).decision).toBe('allow');
    expect(engine.authorize(alice(), 'breakglass.invoke', study(), ctx(299))).toMatchObject({ decision: 'allow', cached: true });
    expect(engine.authorize(alice(), 'breakglass.invoke', study(), ctx(301))).toMatchObject({ decision: 'deny', cached: false });
  });

  it('does not reuse an answer for different entity data under the same uid', () => {
    const { engine } = engineWith(shipped);
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).decision).toBe('allow');
    const moved = { ...alice(), attrs: { kind: 'workforce', org: 'st-mary', department: 'cardiology' } };
    expect(engine.authorize(moved, 'dicomweb.query', study(), healthy())).toMatchObject({ decision: 'deny', cached: false });
  });

  it('does not answer an invalid context from the cache', () => {
    const { engine } = engineWith(shipped);
    engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    const badIp = healthy({ network: { source: '10.0.0.999' } });
    expect(engine.authorize(alice(), 'dicomweb.query', study(), badIp)).toMatchObject({ decision: 'deny', reasons: ['engine-error'], cached: false });
  });

  it('misses after bumpGeneration', () => {
    const { engine } = engineWith(shipped);
    engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    const before = engine.generation;
    engine.bumpGeneration();
    expect(engine.generation).toBe(before + 1);
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).cached).toBe(false);
  });

  it('bumps the generation on answer-changing bus events', async () => {
    const bus = createInProcessBus(() => {});
    const engine = createPolicyEngine({ audit: createMemoryAuditSink(), cacheTtlSeconds: 60, cacheMaxEntries: 100, bus });
    engine.activate(shipped);
    engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    const g = engine.generation;
    bus.emit({ type: 'device.posture', deviceId: 'dev-1', tier: 'low' });
    await bus.drain();
    expect(engine.generation).toBe(g + 1);
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).cached).toBe(false);
    engine.close();
  });

  it('expires entries after the TTL (injected clock)', () => {
    let now = 1_000_000;
    const { engine } = engineWith(shipped, { ttl: 2, clock: () => now });
    engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    now += 1999;
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).cached).toBe(true);
    now += 1;
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).cached).toBe(false);
  });

  it('keeps at most cacheMaxEntries entries, evicting the oldest', () => {
    const { engine } = engineWith(shipped, { max: 2 });
    const s = (id: string) => ({ ...study(), uid: { type: 'Radgate::Study', id } });
    const [a, b, c] = [s('a'), s('b'), s('c')];
    for (const r of [a, b, c]) engine.authorize(alice(), 'dicomweb.query', r, healthy());
    expect(engine.health().cacheEntries).toBe(2);
    expect(engine.authorize(alice(), 'dicomweb.query', c, healthy()).cached).toBe(true);
    expect(engine.authorize(alice(), 'dicomweb.query', a, healthy()).cached).toBe(false);
  });

  it('never caches engine errors', () => {
    const { engine } = engineWith(shipped);
    const noKind = { ...alice(), attrs: { org: 'x' } };
    engine.authorize(noKind, 'dicomweb.query', study(), healthy());
    expect(engine.authorize(noKind, 'dicomweb.query', study(), healthy()).cached).toBe(false);
  });

  it('freezes its inputs so a decided request cannot be changed afterwards', () => {
    const { engine } = engineWith(shipped);
    const ctx = healthy();
    const p = alice();
    engine.authorize(p, 'dicomweb.query', study(), ctx);
    expect(() => {
      (ctx.device as { stale: boolean }).stale = true;
    }).toThrow(TypeError);
    expect(() => {
      (p.attrs as Record<string, unknown>).department = 'cardiology';
    }).toThrow(TypeError);
  });
});

describe('authorize: audit', () => {
  it('appends exactly one decision event per call, cached calls and errors included', async () => {
    const { engine, audit } = engineWith(shipped);
    const calls = [
      engine.authorize(alice(), 'dicomweb.query', study(), healthy()),
      engine.authorize(alice(), 'dicomweb.query', study(), healthy()),
      engine.authorize(alice(), 'nope' as never, study(), healthy()),
    ];
    expect(calls[1]!.cached).toBe(true);
    const receipts = await Promise.all(calls.map((c) => c.durable));
    expect(audit.events).toHaveLength(3);
    expect(receipts.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(audit.events.map((e) => e.detail?.cached)).toEqual([false, true, false]);
    expect(audit.events.map((e) => e.outcome)).toEqual(['allow', 'allow', 'deny']);
  });

  it('records actor, action, resource, policy ids, reasons, version and a SHA-256 context digest', async () => {
    const { engine, audit } = engineWith(shipped);
    const ctx = healthy({ device: { id: 'dev-1', managed: true, tier: 'high', stale: true } });
    await engine.authorize(alice(), 'dicomweb.query', study(), ctx).durable;
    const e = audit.events[0] as AuditEventInput;
    const digest = createHash('sha256').update(canonicalize(ctx)).digest('hex').slice(0, 32);
    expect(e).toEqual({
      type: 'decision',
      actor: 'Radgate::User::"alice"',
      outcome: 'deny',
      detail: {
        action: 'dicomweb.query',
        resource: 'Radgate::Study::"1.2.3"',
        policyIds: ['posture-stale'],
        reasons: ['posture-stale'],
        context: digest,
        cached: false,
        policyVersion: shipped.version,
      },
    });
  });

  it('returns the decision even when the audit append fails, and durable rejects', async () => {
    const engine = createPolicyEngine({ audit: { append: () => Promise.reject(new Error('disk full')) }, cacheTtlSeconds: 1, cacheMaxEntries: 10 });
    engine.activate(shipped);
    const d = engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    expect(d.decision).toBe('allow');
    await expect(d.durable).rejects.toMatchObject({ code: 'audit-unavailable' });
  });
});

describe('activate', () => {
  it('keeps the previous set active when activation fails', () => {
    const { engine } = engineWith(shipped);
    const version = engine.active?.version;
    const broken = { ...shipped, policies: new Map([['x', { ...[...shipped.policies.values()][0]!, id: 'x', text: 'permit (' }]]) } as PolicySet;
    expect(() => engine.activate(broken)).toThrow(expect.objectContaining({ code: 'policy-invalid' }));
    expect(engine.active?.version).toBe(version);
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).decision).toBe('allow');
  });

  it('bumps the generation when a set is activated', () => {
    const { engine } = engineWith(shipped);
    engine.authorize(alice(), 'dicomweb.query', study(), healthy());
    engine.activate(shipped);
    expect(engine.authorize(alice(), 'dicomweb.query', study(), healthy()).cached).toBe(false);
  });
});

describe('authorize: audit coalescing', () => {
  function coalescing(clock: () => number) {
    const audit = createMemoryAuditSink();
    const engine = createPolicyEngine({ audit, cacheTtlSeconds: 60, cacheMaxEntries: 1000, auditCoalesceMs: 1000, clock });
    engine.activate(shipped);
    return { engine, audit };
  }
  const flush = () => new Promise((r) => setTimeout(r, 0));

  it('audits the first decision, reuses its record for cached repeats and counts them when the window closes', async () => {
    let now = 1_000_000;
    const { engine, audit } = coalescing(() => now);
    const first = engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    const second = engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    const third = engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    expect(second).toMatchObject({ decision: 'allow', cached: true, coalesced: true });
    expect(await third.durable).toEqual(await first.durable);
    await flush();
    expect(audit.events.filter((e) => e.type === 'decision')).toHaveLength(1);
    // After the window a repeat is audited again, and the closed window leaves its count.
    now += 1001;
    const later = engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    expect(later.coalesced).toBeUndefined();
    await later.durable;
    await flush();
    expect(audit.events.filter((e) => e.type === 'decision')).toHaveLength(2);
    const summary = audit.events.find((e) => e.type === 'decision.coalesced');
    expect(summary).toMatchObject({ outcome: 'allow', actor: 'Radgate::User::"alice"', detail: { action: 'dicomweb.retrieve', resource: 'Radgate::Study::"1.2.3"', repeats: 2, firstSeq: 1 } });
    engine.close();
  });

  it('never coalesces across a policy or entity change, or different answers', async () => {
    const now = 1_000_000;
    const { engine, audit } = coalescing(() => now);
    engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    engine.bumpGeneration(); // closes the window: its repeat is counted now
    const after = engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    expect(after.cached).toBe(false);
    const stale = engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy({ device: { id: 'dev-1', managed: true, tier: 'high', stale: true } }));
    expect(stale).toMatchObject({ decision: 'deny' });
    expect(stale.coalesced).toBeUndefined();
    await flush();
    await flush();
    expect(audit.events.filter((e) => e.type === 'decision')).toHaveLength(3);
    expect(audit.events.filter((e) => e.type === 'decision.coalesced')).toHaveLength(1);
    engine.close();
  });

  it('is off by default: every call writes its own decision event', async () => {
    const { engine, audit } = engineWith(shipped);
    for (let i = 0; i < 3; i++) engine.authorize(alice(), 'dicomweb.retrieve', study(), healthy());
    await flush();
    expect(audit.events.filter((e) => e.type === 'decision')).toHaveLength(3);
  });
});
