import { describe, expect, it } from 'vitest';
import { accessConfigSchema } from '../config/accessSchema.js';
import { approvalsNeeded, effectiveRequestState, grantContext, maxDurationFor, requestEntity, targetEntity } from './accessRules.js';

const cfg = accessConfigSchema.parse({ roleMaxDuration: { vendor: '8h', clinician: '4h', admin: '1h' }, defaultMaxDuration: '2h' });

describe('access rules', () => {
  it('bounds a vendor by the vendor maximum whatever other roles say', () => {
    expect(maxDurationFor({ kind: 'vendor', roles: ['admin'] }, { maxDurationSeconds: null }, cfg)).toBe(8 * 3600);
  });
  it('bounds others by the smallest maximum of their roles, then the target', () => {
    expect(maxDurationFor({ kind: 'workforce', roles: ['clinician', 'admin'] }, { maxDurationSeconds: null }, cfg)).toBe(3600);
    expect(maxDurationFor({ kind: 'workforce', roles: ['technologist'] }, { maxDurationSeconds: null }, cfg)).toBe(2 * 3600);
    expect(maxDurationFor({ kind: 'vendor', roles: [] }, { maxDurationSeconds: 1800 }, cfg)).toBe(1800);
  });
  it('needs the configured number of approvals for risk: high targets only', () => {
    expect(approvalsNeeded({ labels: '{"risk":"high"}' }, cfg)).toBe(2);
    expect(approvalsNeeded({ labels: '{"risk":"medium"}' }, cfg)).toBe(1);
    expect(approvalsNeeded({ labels: 'not json' }, cfg)).toBe(1);
  });
  it('reports a pending request past its window or pending lifetime as expired', () => {
    const row = { state: 'pending' as const, createdAt: 0, endAt: 10_000 };
    expect(effectiveRequestState(row, 9_999, 3600)).toBe('pending');
    expect(effectiveRequestState(row, 10_000, 3600)).toBe('expired');
    expect(effectiveRequestState({ ...row, endAt: 10 * 3600_000 }, 3600_000, 3600)).toBe('expired');
    expect(effectiveRequestState({ ...row, state: 'approved' }, 99_999, 3600)).toBe('approved');
  });
  it('gives policy an inactive grant with no seconds left outside its window or once revoked', () => {
    const g = { id: 'g1', target: 'ct-1', state: 'active' as const, startAt: 1000, endAt: 61_000 };
    expect(grantContext(g, 1000)).toEqual({ active: true, id: 'g1', target: { type: 'Radgate::Target', id: 'ct-1' }, secondsLeft: 60 });
    expect(grantContext(g, 999)).toMatchObject({ active: false, secondsLeft: 0 });
    expect(grantContext(g, 61_000)).toMatchObject({ active: false, secondsLeft: 0 });
    expect(grantContext({ ...g, state: 'revoked' }, 2000)).toMatchObject({ active: false, secondsLeft: 0 });
  });
  it('describes targets and requests as the Cedar schema expects', () => {
    expect(targetEntity({ name: 'ct-1', kind: 'tcp', labels: '{"risk":"high","site":"main","owner":"x"}' })).toEqual({ uid: { type: 'Radgate::Target', id: 'ct-1' }, attrs: { kind: 'tcp', site: 'main', risk: 'high' } });
    expect(requestEntity({ id: 'r1', requesterId: 'u1', requesterOrg: 'acme', target: 'ct-1' }).attrs).toEqual({
      requester: { type: 'Radgate::User', id: 'u1' },
      requesterOrg: 'acme',
      target: { type: 'Radgate::Target', id: 'ct-1' },
    });
  });
});
