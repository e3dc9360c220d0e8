// Issue 7, the access domain through the control-plane API against a real broker:
// targets, requests, approvals with separation of duties and two approvers, grants with
// revocation and expiry, break-glass and its review, signed webhooks. Every refusal is a
// typed error with an audit event, and changes nothing.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccess } from '../../src/access/index.js';
import { decideRequest } from '../../src/access/decideRequest.js';
import { principalFor } from '../../src/identity/index.js';
import type { RadgateEvent } from '../../src/events/index.js';
import { verifyWebhook } from '../../src/notify/index.js';
import { makeCsr } from '../ca/makeCsr.js';
import { accessFixture, details, WEBHOOK_SECRET, type AccessFixture, type Agent } from './accessFixture.js';

let f: AccessFixture;
let vic: Agent; // vendor engineer, acme-imaging
let val: Agent; // another vendor engineer, acme-imaging
let ada: Agent; // approver, st-mary
let bea: Agent; // second approver, st-mary
let otto: Agent; // approver employed by the vendor's organisation
let carol: Agent; // clinician
let root: Agent; // administrator
let root2: Agent; // second administrator

const hour = 3600_000;

beforeAll(async () => {
  f = await accessFixture();
  vic = await f.agent(await f.user('vic', { kind: 'vendor', roles: ['vendor'] }));
  val = await f.agent(await f.user('val', { kind: 'vendor', roles: ['vendor'] }));
  ada = await f.agent(await f.user('ada', { roles: ['access-approver'] }));
  bea = await f.agent(await f.user('bea', { roles: ['access-approver'] }));
  otto = await f.agent(await f.user('otto', { roles: ['access-approver'], org: 'acme-imaging' }));
  carol = await f.agent(await f.user('carol', { roles: ['clinician'] }));
  root = await f.agent(await f.user('root', { roles: ['admin', 'clinician'] }));
  root2 = await f.agent(await f.user('root2', { roles: ['admin'] }));
}, 60_000);
afterAll(async () => f?.close());

async function counts() {
  const a = f.broker.store.access;
  const requests = await a.listRequests({ limit: 10_000 });
  const approvals = (await Promise.all(requests.map((r) => a.approvalsFor(r.id)))).flat();
  return { requests: requests.length, states: requests.map((r) => `${r.id}:${r.state}`).sort(), approvals: approvals.length, grants: (await a.listGrants({ limit: 10_000 })).map((g) => `${g.id}:${g.state}`).sort(), targets: (await a.listTargets()).length };
}

/** Runs a refused call: the expected problem, one failure audit event of `type`, nothing changed. */
async function refused(call: () => Promise<{ status: number; json: any }>, expected: { status: number; reason: string }, type: string) {
  const before = await counts();
  const seq = await f.auditHead();
  const r = await call();
  expect(r.json).toMatchObject({ status: expected.status, reason: expected.reason });
  expect(r.status).toBe(expected.status);
  const events = await f.auditSince(seq, type);
  expect(events.map((e) => e.outcome)).toEqual(['failure']);
  expect(details(events)[0]).toMatchObject({ reason: expected.reason });
  expect(await counts()).toEqual(before);
  return { response: r, event: details(events)[0]! };
}

const request = (a: Agent, body: Record<string, unknown>) => f.call(a, 'POST', '/access/requests', body);

describe('targets', () => {
  it('lists config targets with their labels; addresses only for administrators', async () => {
    const r = await f.call(vic, 'GET', '/access/targets');
    expect(r.status).toBe(200);
    expect(r.json.map((t: { name: string }) => t.name)).toEqual(['ct-1-ssh', 'mr-2-service', 'pacs-admin']);
    expect(r.json[1]).toEqual({ name: 'mr-2-service', kind: 'tcp', labels: { site: 'main', department: 'radiology', risk: 'high' }, maxDurationSeconds: null, recording: false, source: 'config' });
    expect((await f.call(root, 'GET', '/access/targets')).json[0]).toMatchObject({ address: '127.0.0.1:1' });
  });

  it('lets an administrator with a fresh step-up add and remove a target; others are refused', async () => {
    const body = { name: 'us-3-vnc', address: '10.0.0.7:5900', labels: { risk: 'low', owner: 'ultrasound' }, recording: true };
    await refused(() => f.call(vic, 'POST', '/access/targets', body), { status: 403, reason: 'admin-required' }, 'access.target.add');
    const stale = await f.agent(root.user, { verifiedAt: Date.now() - 10 * 60_000 });
    await refused(() => f.call(stale, 'POST', '/access/targets', body), { status: 403, reason: 'step-up-required' }, 'access.target.add');
    await refused(() => f.call(root, 'POST', '/access/targets', { ...body, address: 'no-port' }), { status: 400, reason: 'request-malformed' }, 'access.target.add');
    await refused(() => f.call(root, 'POST', '/access/targets', { ...body, name: 'Bad Name!' }), { status: 400, reason: 'request-malformed' }, 'access.target.add');
    const added = await f.call(root, 'POST', '/access/targets', body);
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ name: 'us-3-vnc', source: 'admin', recording: true, address: '10.0.0.7:5900' });
    await refused(() => f.call(root, 'POST', '/access/targets', body), { status: 409, reason: 'target-exists' }, 'access.target.add');
    await refused(() => f.call(root, 'POST', '/access/targets/ct-1-ssh/remove'), { status: 409, reason: 'target-read-only' }, 'access.target.remove');
    const removed = await f.call(root, 'POST', '/access/targets/us-3-vnc/remove');
    expect(removed.json).toEqual({ name: 'us-3-vnc', endedGrants: [] });
    await refused(() => f.call(root, 'POST', '/access/targets/us-3-vnc/remove'), { status: 404, reason: 'target-not-found' }, 'access.target.remove');
  });
});

describe('access requests', () => {
  it('records a vendor request, audits it and sends a signed webhook', async () => {
    const seq = await f.auditHead();
    const r = await request(val, { target: 'ct-1-ssh', duration: '2h', reason: 'replace the detector firmware', ticket: 'ABC-123' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ requesterId: val.user.id, requesterOrg: 'acme-imaging', target: 'ct-1-ssh', state: 'pending', approvalsNeeded: 1, ticket: 'ABC-123', approvals: [] });
    expect(Date.parse(r.json.endAt) - Date.parse(r.json.startAt)).toBe(2 * hour);
    const audit = await f.auditSince(seq, 'access.request');
    expect(audit.map((e) => e.outcome)).toEqual(['success']);
    expect(details(audit)[0]).toMatchObject({ requestId: r.json.id, target: 'ct-1-ssh', ticket: 'ABC-123' });
    const hook = await f.webhook('access.requested');
    expect(hook.verdict).toMatchObject({ ok: true, event: { type: 'access.requested', requestId: r.json.id, requester: val.user.id, target: 'ct-1-ssh' } });
    expect(hook.headers.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    // The receiver refuses a replay of this captured delivery outside the timestamp window, and any change to it.
    const later = (Number(hook.headers.timestamp) + 301) * 1000;
    expect(verifyWebhook(hook.headers, hook.body, WEBHOOK_SECRET, { now: later })).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifyWebhook(hook.headers, hook.body.replace('ct-1-ssh', 'mr-2-service'), WEBHOOK_SECRET)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyWebhook({ ...hook.headers, timestamp: String(Number(hook.headers.timestamp) - 1) }, hook.body, WEBHOOK_SECRET)).toEqual({ ok: false, reason: 'bad-signature' });

    // An overlapping request for the same target by the same person is a duplicate.
    await refused(() => request(val, { target: 'ct-1-ssh', duration: '1h', reason: 'again', start: new Date(Date.now() + hour).toISOString() }), { status: 409, reason: 'duplicate-request' }, 'access.request');
    // A later, non-overlapping window is a new request.
    const next = await request(val, { target: 'ct-1-ssh', duration: '1h', reason: 'follow-up check', start: new Date(Date.now() + 3 * hour).toISOString() });
    expect(next.status).toBe(201);
  });

  it('refuses a duration over the maximum for the role or the target', async () => {
    // Vendors: 8 h by default; pacs-admin: 1 h.
    await refused(() => request(vic, { target: 'ct-1-ssh', duration: '9h', reason: 'long job' }), { status: 400, reason: 'duration-over-maximum' }, 'access.request');
    await refused(() => request(vic, { target: 'pacs-admin', duration: '2h', reason: 'db upgrade' }), { status: 400, reason: 'duration-over-maximum' }, 'access.request');
    // Clinicians: 4 h.
    await refused(() => request(carol, { target: 'ct-1-ssh', duration: '5h', reason: 'long job' }), { status: 400, reason: 'duration-over-maximum' }, 'access.request');
  });

  it('refuses a start in the past, too far ahead, an unknown target and malformed bodies', async () => {
    await refused(() => request(vic, { target: 'ct-1-ssh', reason: 'late', start: new Date(Date.now() - 10 * 60_000).toISOString() }), { status: 400, reason: 'start-in-past' }, 'access.request');
    await refused(() => request(vic, { target: 'ct-1-ssh', reason: 'far', start: new Date(Date.now() + 30 * 24 * hour).toISOString() }), { status: 400, reason: 'start-too-far' }, 'access.request');
    await refused(() => request(vic, { target: 'nope', reason: 'what' }), { status: 404, reason: 'target-not-found' }, 'access.request');
    await refused(() => request(vic, { target: 'ct-1-ssh', reason: 'x', extra: true }), { status: 400, reason: 'request-malformed' }, 'access.request');
    await refused(() => request(vic, { target: 'ct-1-ssh', reason: 'fine reason', duration: 'forever' }), { status: 400, reason: 'request-malformed' }, 'access.request');
    await refused(() => request(vic, { target: 'ct-1-ssh', reason: 'fine reason', start: 'tomorrow' }), { status: 400, reason: 'request-malformed' }, 'access.request');
    await refused(() => request(vic, { target: 'ct-1-ssh', reason: 'fine reason', ticket: 'DROP TABLE;' }), { status: 400, reason: 'request-malformed' }, 'access.request');
    await refused(() => f.call(vic, 'POST', '/access/requests', undefined, { body: '{"target":' }), { status: 400, reason: 'request-malformed' }, 'access.request');
    await refused(() => f.call(vic, 'POST', '/access/requests', undefined, { body: JSON.stringify({ target: 'ct-1-ssh', reason: 'x'.repeat(20_000) }) }), { status: 413, reason: 'request-too-large' }, 'access.request');
  });

  it('leaves who may ask to policy: a service principal is refused', async () => {
    const svc = await f.agent(await f.user('svc', { kind: 'service', roles: [] }));
    const { response, event } = await refused(() => request(svc, { target: 'ct-1-ssh', reason: 'automatic' }), { status: 403, reason: 'policy-denied' }, 'access.request');
    expect(response.json.detail).toContain('service-not-permitted');
    expect(event.policyReasons).toEqual(['service-not-permitted']);
  });
});

describe('approvals', () => {
  it('refuses the requester approving their own request (separation of duties), changing nothing', async () => {
    // An approver who is also a requester (workforce engineer).
    const r = await request(ada, { target: 'ct-1-ssh', duration: '1h', reason: 'check backup job' });
    expect(r.status).toBe(201);
    const { event } = await refused(() => f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 403, reason: 'policy-denied' }, 'access.approve');
    expect(event.policyReasons).toEqual(['separation-of-duties']);
  });

  it('refuses an approver from the requester’s own organisation, and vendors, changing nothing', async () => {
    const r = await request(vic, { target: 'ct-1-ssh', duration: '1h', reason: 'firmware' });
    expect(r.status).toBe(201);
    const same = await refused(() => f.call(otto, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 403, reason: 'policy-denied' }, 'access.approve');
    expect(same.event.policyReasons).toEqual(['separation-of-duties']);
    const vendor = await refused(() => f.call(val, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 403, reason: 'policy-denied' }, 'access.approve');
    expect(vendor.event.policyReasons).toContain('vendor-not-permitted');
    const clinician = await refused(() => f.call(carol, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 403, reason: 'policy-denied' }, 'access.approve');
    expect(clinician.event.policyReasons).toEqual(['no-permit']);
    // Without a fresh security-key verification nobody approves.
    const stale = await f.agent(ada.user, { verifiedAt: Date.now() - 6 * 60_000 });
    await refused(() => f.call(stale, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 403, reason: 'step-up-required' }, 'access.approve');
    await refused(() => f.call(ada, 'POST', '/access/requests/req_nope/approve', {}), { status: 404, reason: 'request-not-found' }, 'access.approve');
    await refused(() => f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, { comment: 1 }), { status: 400, reason: 'request-malformed' }, 'access.approve');

    // Approvers see it pending; the vendor sees only their own.
    const list = await f.call(ada, 'GET', '/access/requests?state=pending');
    expect(list.json.map((x: { id: string }) => x.id)).toContain(r.json.id);
    const own = await f.call(val, 'GET', '/access/requests?state=all');
    expect(own.json.every((x: { requesterId: string }) => x.requesterId === val.user.id)).toBe(true);

    // A proper approver approves: a grant for the requested window, announced and audited.
    const seq = await f.auditHead();
    const ok = await f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, { comment: 'ticket checked' });
    expect(ok.status).toBe(200);
    expect(ok.json.request).toMatchObject({ state: 'approved', approvals: [{ approverId: ada.user.id, decision: 'approve', comment: 'ticket checked' }] });
    expect(ok.json.grant).toMatchObject({ userId: vic.user.id, target: 'ct-1-ssh', state: 'active', live: true, breakGlass: false, endAt: r.json.endAt });
    expect((await f.auditSince(seq)).filter((e) => ['access.approve', 'grant.create'].includes(e.type)).map((e) => `${e.type}:${e.outcome}`).sort()).toEqual(['access.approve:success', 'grant.create:success']);
    expect((await f.webhook('grant.created')).verdict).toMatchObject({ ok: true, event: { grantId: ok.json.grant.id, user: vic.user.id } });
    expect((await f.webhook('access.approved')).verdict.ok).toBe(true);
    const context = await f.broker.access.grantFor(vic.user.id, 'ct-1-ssh', undefined, Date.now());
    expect(context?.context).toMatchObject({ active: true, id: ok.json.grant.id, target: { type: 'Radgate::Target', id: 'ct-1-ssh' } });
    expect(context!.context.secondsLeft).toBeGreaterThan(3500);
    // Decided requests take no more decisions.
    await refused(() => f.call(bea, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 409, reason: 'request-not-pending' }, 'access.approve');
    // The vendor sees the grant; listing everyone's grants is for approvers.
    expect((await f.call(vic, 'GET', '/access/grants?state=active')).json.map((g: { id: string }) => g.id)).toContain(ok.json.grant.id);
    expect((await f.call(vic, 'GET', '/access/grants?all=1')).json).toMatchObject({ status: 403, reason: 'not-permitted' });
  });

  it('needs two distinct approvers for a risk: high target; the same approver twice is refused', async () => {
    const r = await request(vic, { target: 'mr-2-service', duration: '3h', reason: 'gradient coil service' });
    expect(r.json).toMatchObject({ approvalsNeeded: 2, state: 'pending' });
    const first = await f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, {});
    expect(first.json.request).toMatchObject({ state: 'pending', approvals: [{ approverId: ada.user.id }] });
    expect(first.json.grant).toBeUndefined();
    expect(await f.broker.access.grantFor(vic.user.id, 'mr-2-service', undefined, Date.now())).toBeUndefined();
    await refused(() => f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 409, reason: 'already-decided' }, 'access.approve');
    const second = await f.call(bea, 'POST', `/access/requests/${r.json.id}/approve`, {});
    expect(second.json.request).toMatchObject({ state: 'approved' });
    expect(second.json.request.approvals.map((a: { approverId: string }) => a.approverId)).toEqual([ada.user.id, bea.user.id]);
    expect(second.json.grant).toMatchObject({ target: 'mr-2-service', userId: vic.user.id });
  });

  it('denies on one approver’s denial', async () => {
    const r = await request(val, { target: 'pacs-admin', duration: '30m', reason: 'index rebuild' });
    const d = await f.call(bea, 'POST', `/access/requests/${r.json.id}/deny`, { comment: 'no change window' });
    expect(d.json.request).toMatchObject({ state: 'denied' });
    expect((await f.webhook('access.denied')).verdict.ok).toBe(true);
    await refused(() => f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, {}), { status: 409, reason: 'request-not-pending' }, 'access.approve');
  });

  it('refuses an approval after the request expired, changing nothing', async () => {
    const r = await request(vic, { target: 'pacs-admin', duration: '30m', reason: 'log rotation', start: new Date(Date.now() + 2 * hour).toISOString() });
    expect(r.status).toBe(201);
    // The same broker a day later (the pending lifetime is 24 h).
    const later = await createAccess({ config: f.broker.config, store: f.broker.store, users: f.broker.identity.sessions, audit: f.broker.audit, bus: f.broker.bus, policy: f.broker.policy, ca: f.broker.ca, notifier: f.broker.notifier, clock: () => Date.now() + 25 * hour, sweepIntervalMs: 3600_000 });
    later.scheduler.close();
    try {
      const before = await counts();
      const seq = await f.auditHead();
      // A step-up "now" in the later clock's terms, so only the expiry can refuse it.
      const fresh = await f.agent(ada.user, { verifiedAt: Date.now() + 25 * hour - 1000 });
      const session = (await f.broker.identity.sessions.getSession(fresh.sessionId))!;
      const err = await decideRequest(later.deps, { user: ada.user, session, principal: principalFor(ada.user) }, r.json.id, 'approve', {}).catch((e: unknown) => e);
      expect(err).toMatchObject({ reason: 'request-expired', status: 409 });
      expect(details(await f.auditSince(seq, 'access.approve'))).toEqual([expect.objectContaining({ reason: 'request-expired' })]);
      expect(await counts()).toEqual(before);
    } finally {
      later.close();
    }
  });
});

describe('grants', () => {
  it('revokes a grant: grant.ended on the bus, its certificates revoked, audited and announced', async () => {
    const r = await request(val, { target: 'pacs-admin', duration: '30m', reason: 'vacuum', start: new Date(Date.now() + 5 * hour).toISOString() });
    expect(r.status).toBe(201);
    const g = (await f.call(ada, 'POST', `/access/requests/${r.json.id}/approve`, {})).json.grant;
    expect(g).toMatchObject({ state: 'active', live: false }); // starts later
    await refused(() => f.call(carol, 'POST', `/access/grants/${g.id}/revoke`, {}), { status: 403, reason: 'not-permitted' }, 'grant.revoke');
    const events: RadgateEvent[] = [];
    const off = f.broker.bus.on('grant.ended', (e) => void events.push(e));
    const seq = await f.auditHead();
    const rv = await f.call(ada, 'POST', `/access/grants/${g.id}/revoke`, { reason: 'change window cancelled' });
    expect(rv.json).toMatchObject({ id: g.id, state: 'revoked', revokedBy: ada.user.id, revokeReason: 'change window cancelled' });
    await f.broker.bus.drain();
    off();
    expect(events).toEqual([{ type: 'grant.ended', grantId: g.id, reason: 'revoked' }]);
    expect(details(await f.auditSince(seq, 'grant.revoke'))).toEqual([expect.objectContaining({ grantId: g.id, reason: 'change window cancelled' })]);
    expect((await f.webhook('grant.revoked')).verdict.ok).toBe(true);
    await refused(() => f.call(ada, 'POST', `/access/grants/${g.id}/revoke`, {}), { status: 409, reason: 'grant-not-active' }, 'grant.revoke');
    await refused(() => f.call(ada, 'POST', '/access/grants/grt_nope/revoke', {}), { status: 404, reason: 'grant-not-found' }, 'grant.revoke');
  });

  it('ends a grant at its end time within a second: grant.ended, state ended, audited', async () => {
    const now = Date.now();
    const id = `grt_expiry_${now}`;
    await f.broker.store.access.insertGrant({ id, requestId: null, userId: vic.user.id, target: 'ct-1-ssh', startAt: now, endAt: now + 1500, state: 'active', breakGlass: false, reason: 'expiry test', createdAt: now });
    const ended = new Promise<number>((resolve) => {
      const off = f.broker.bus.on('grant.ended', (e) => {
        if (e.grantId === id) {
          off();
          resolve(Date.now());
        }
      });
    });
    f.broker.access.scheduler.track(id);
    const at = await ended;
    expect(at - (now + 1500)).toBeGreaterThanOrEqual(-5);
    expect(at - (now + 1500)).toBeLessThan(1000);
    expect((await f.broker.store.access.getGrant(id))?.state).toBe('ended');
    await f.broker.audit.flush();
    expect(details(await f.auditSince(0, 'grant.expire')).some((d) => d.grantId === id)).toBe(true);
    expect(await f.broker.access.grantFor(vic.user.id, 'ct-1-ssh', id, Date.now())).toMatchObject({ context: { active: false, secondsLeft: 0 } });
  });

  it('issues a certificate for a grant that expires no later than the grant, and none for a grant that is not the caller’s', async () => {
    const now = Date.now();
    const id = `grt_cert_${now}`;
    await f.broker.store.access.insertGrant({ id, requestId: null, userId: vic.user.id, target: 'ct-1-ssh', startAt: now, endAt: now + 20 * 60_000, state: 'active', breakGlass: false, reason: 'cert test', createdAt: now });
    const deviceId = `dev_vic_${now}`;
    const { publicKey } = makeCsr('p256').keys;
    await f.broker.store.devices.insert({ id: deviceId, userId: vic.user.id, name: 'vic-laptop', publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string, state: 'active', createdAt: now, updatedAt: now });
    await f.broker.store.devices.recordPosture({ deviceId, collectedAt: now, receivedAt: now, signals: '{}', tier: 'standard', reasons: '[]' });
    const r = await f.call(vic, 'POST', '/certificates', { csr: makeCsr('p256').pem, deviceId, grantId: id });
    expect(r.status).toBe(201);
    const cert = new X509Certificate(r.json.certificatePem);
    expect(Date.parse(cert.validTo)).toBeLessThanOrEqual(now + 20 * 60_000);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(now + 18 * 60_000);
    expect(cert.subjectAltName).toContain(`urn:radgate:grant:${id}`);
    const notMine = await f.call(val, 'POST', '/certificates', { csr: makeCsr('p256').pem, deviceId, grantId: id });
    expect(notMine.status).toBeGreaterThanOrEqual(400);
    // Revoking the grant revokes the certificate issued for it.
    await f.call(ada, 'POST', `/access/grants/${id}/revoke`, {});
    expect(f.broker.ca.isRevoked(r.json.serial)).toBe(true);
  });
});

describe('break-glass', () => {
  it('opens a short grant without approval after a step-up, fires the webhook at once and waits for review', async () => {
    const seq = await f.auditHead();
    const t0 = Date.now();
    const r = await f.call(root, 'POST', '/access/breakglass', { target: 'mr-2-service', reason: 'scanner down during stroke protocol' });
    expect(r.status).toBe(201);
    expect(r.json.grant).toMatchObject({ userId: root.user.id, target: 'mr-2-service', breakGlass: true, live: true, state: 'active' });
    expect(Date.parse(r.json.grant.endAt) - Date.parse(r.json.grant.startAt)).toBe(hour); // the config maximum
    const hook = await f.webhook('breakglass.invoked', 2000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(hook.verdict).toMatchObject({ ok: true, event: { grantId: r.json.grant.id, user: root.user.id, target: 'mr-2-service' } });
    expect(details(await f.auditSince(seq, 'breakglass.invoke'))).toEqual([expect.objectContaining({ grantId: r.json.grant.id, reviewId: r.json.reviewId })]);

    // Listed for administrators until one (not the invoker) records a review.
    const open = await f.call(root2, 'GET', '/access/reviews');
    expect(open.json.map((x: { id: string }) => x.id)).toContain(r.json.reviewId);
    expect((await f.call(vic, 'GET', '/access/reviews')).json).toMatchObject({ reason: 'admin-required' });
    await refused(() => f.call(root, 'POST', `/access/reviews/${r.json.reviewId}`, { note: 'I did it' }), { status: 403, reason: 'self-review' }, 'breakglass.review');
    await refused(() => f.call(root2, 'POST', `/access/reviews/${r.json.reviewId}`, { note: '' }), { status: 400, reason: 'request-malformed' }, 'breakglass.review');
    const done = await f.call(root2, 'POST', `/access/reviews/${r.json.reviewId}`, { note: 'call log and ticket INC-9 match' });
    expect(done.json).toMatchObject({ id: r.json.reviewId, reviewedBy: root2.user.id, grant: { id: r.json.grant.id } });
    expect(done.json.grant.reviewedAt).not.toBeNull();
    expect((await f.call(root2, 'GET', '/access/reviews')).json.map((x: { id: string }) => x.id)).not.toContain(r.json.reviewId);
    await refused(() => f.call(root2, 'POST', `/access/reviews/${r.json.reviewId}`, { note: 'again' }), { status: 409, reason: 'already-reviewed' }, 'breakglass.review');
  });

  it('refuses break-glass without a fresh step-up, for vendors, and beyond the maximum, changing nothing', async () => {
    const stale = await f.agent(carol.user, { verifiedAt: Date.now() - 6 * 60_000 });
    await refused(() => f.call(stale, 'POST', '/access/breakglass', { target: 'ct-1-ssh', reason: 'console frozen on CT 1' }), { status: 403, reason: 'step-up-required' }, 'breakglass.invoke');
    const v = await refused(() => f.call(vic, 'POST', '/access/breakglass', { target: 'ct-1-ssh', reason: 'console frozen on CT 1' }), { status: 403, reason: 'policy-denied' }, 'breakglass.invoke');
    expect(v.event.policyReasons).toEqual(['vendor-not-permitted']);
    await refused(() => f.call(carol, 'POST', '/access/breakglass', { target: 'ct-1-ssh', reason: 'console frozen on CT 1', duration: '2h' }), { status: 400, reason: 'duration-over-maximum' }, 'breakglass.invoke');
    await refused(() => f.call(carol, 'POST', '/access/breakglass', { target: 'ct-1-ssh', reason: 'short' }), { status: 400, reason: 'request-malformed' }, 'breakglass.invoke');
  });
});
