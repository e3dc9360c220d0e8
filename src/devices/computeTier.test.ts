import { describe, expect, it } from 'vitest';
import { devicesConfigSchema } from '../config/index.js';
import { computeTier } from './computeTier.js';
import type { PostureSignals } from './postureSchema.js';

const rules = devicesConfigSchema.parse({}).posture.rules;
const ok = (value: string | number | boolean) => ({ value, status: 'ok' as const, source: 't' });
const healthy: PostureSignals = {
  diskEncrypted: ok(true),
  firewallActive: ok(true),
  screenLock: ok(true),
  secureBoot: ok(true),
  lastPackageUpdateAgeSeconds: ok(3600),
};

describe('computeTier', () => {
  it.each<[string, PostureSignals, string, string[]]>([
    ['every rule passes', healthy, 'high', []],
    ['firewall off caps at standard', { ...healthy, firewallActive: ok(false) }, 'standard', ['firewall-off']],
    ['unencrypted disk caps at low', { ...healthy, diskEncrypted: ok(false) }, 'low', ['disk-not-encrypted']],
    ['updates older than 90 days make it untrusted', { ...healthy, lastPackageUpdateAgeSeconds: ok(91 * 86400) }, 'untrusted', ['updates-old', 'updates-abandoned']],
    ['the lowest cap wins', { ...healthy, firewallActive: ok(false), diskEncrypted: ok(false) }, 'low', ['disk-not-encrypted', 'firewall-off']],
    ['an unreadable disk state caps at standard', { ...healthy, diskEncrypted: { value: null, status: 'unknown', source: 't' } }, 'standard', ['disk-not-encrypted-unknown']],
    ['unsupported secure boot does not lower the tier', { ...healthy, secureBoot: { value: null, status: 'unsupported', source: 't' } }, 'high', []],
    ['a value of the wrong type fails the rule', { ...healthy, diskEncrypted: ok('yes') }, 'low', ['disk-not-encrypted']],
    ['a missing signal counts as unknown', { firewallActive: ok(true), screenLock: ok(true), secureBoot: ok(true), lastPackageUpdateAgeSeconds: ok(1) }, 'standard', ['disk-not-encrypted-unknown']],
  ])('%s', (_name, signals, tier, reasons) => {
    const r = computeTier(signals, rules);
    expect(r.tier).toBe(tier);
    expect([...r.reasons].sort()).toEqual([...reasons].sort());
  });

  it('reads "in" rules from config', () => {
    const custom = devicesConfigSchema.parse({ posture: { rules: [{ id: 'os-unsupported', signal: 'osName', op: 'in', value: ['Debian', 'Windows'], cap: 'untrusted' }] } }).posture.rules;
    expect(computeTier({ osName: ok('Debian') }, custom).tier).toBe('high');
    expect(computeTier({ osName: ok('TempleOS') }, custom)).toEqual({ tier: 'untrusted', reasons: ['os-unsupported'] });
  });

  it('refuses config rules whose op and value disagree', () => {
    expect(() => devicesConfigSchema.parse({ posture: { rules: [{ id: 'x', signal: 'osName', op: 'lte', value: 'a', cap: 'low' }] } })).toThrow();
    expect(() => devicesConfigSchema.parse({ posture: { nonceTtl: '5m' } })).toThrow();
  });
});
