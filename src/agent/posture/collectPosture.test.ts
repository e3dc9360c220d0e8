// Posture on this machine's real Linux: every signal is either read (with a plausible
// value and a source naming how) or unknown/unsupported with null — never made up.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../agentVersion.js';
import { collectPosture } from './collectPosture.js';
import { collectorsFor } from './registry.js';
import { systemProbe } from './systemProbe.js';
import { firewallCollector } from './firewall.js';
import { screenLockCollector } from './screenLock.js';
import { SIGNAL_NAMES, type Probe } from './types.js';

const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('collectPosture on this Linux machine', () => {
  it('reports every signal with a status, a source, and a value only when read', async () => {
    const p = await collectPosture();
    expect(Object.keys(p.signals).sort()).toEqual([...SIGNAL_NAMES].sort());
    for (const [name, s] of Object.entries(p.signals)) {
      expect(['ok', 'unknown', 'unsupported'], name).toContain(s.status);
      expect(s.source.length, name).toBeGreaterThan(0);
      if (s.status === 'ok') expect(s.value, name).not.toBeNull();
      else expect(s.value, name).toBeNull();
    }
    const s = p.signals;
    expect(s.kernel).toEqual({ value: release(), status: 'ok', source: 'file:/proc/sys/kernel/osrelease' });
    expect(s.agentVersion).toMatchObject({ value: AGENT_VERSION, status: 'ok' });
    if (existsSync('/etc/os-release')) {
      const text = readFileSync('/etc/os-release', 'utf8');
      expect(s.osName.status).toBe('ok');
      expect(text).toContain(String(s.osName.value));
      if (s.osVersion.status === 'ok') expect(text).toContain(String(s.osVersion.value));
    }
    if (existsSync('/var/lib/dpkg/status')) {
      expect(s.lastPackageUpdateAgeSeconds.status).toBe('ok');
      expect(s.lastPackageUpdateAgeSeconds.source).toBe('mtime:/var/lib/dpkg/status');
      const age = s.lastPackageUpdateAgeSeconds.value as number;
      expect(age).toBeGreaterThanOrEqual(0);
      expect(Math.abs(age - (p.collectedAt - statSync('/var/lib/dpkg/status').mtimeMs) / 1000)).toBeLessThan(2);
    }
    for (const b of ['diskEncrypted', 'firewallActive', 'screenLock', 'secureBoot'] as const) {
      if (s[b].status === 'ok') expect(typeof s[b].value, b).toBe('boolean');
    }
    if (s.diskEncrypted.status === 'ok') expect(s.diskEncrypted.source).toMatch(/^cmd:lsblk /);
  });

  it('says unknown for Secure Boot when there are no EFI variables', async () => {
    if (existsSync('/sys/firmware/efi')) return;
    const p = await collectPosture({ collectors: collectorsFor('linux').filter((c) => c.signal === 'secureBoot') });
    // mokutil could still answer on some machines; without EFI it cannot.
    expect(p.signals.secureBoot).toMatchObject({ status: 'unknown', value: null, source: expect.stringContaining('/sys/firmware/efi (absent') });
  });

  it('says unknown for the screen lock when no graphical session is visible', async () => {
    const probe: Probe = { ...systemProbe(), env: { PATH: process.env.PATH } };
    expect(await screenLockCollector.collect(probe)).toMatchObject({ status: 'unknown', value: null });
  });

  it('says unknown for the firewall when neither nft nor iptables can be read', async () => {
    const probe: Probe = { ...systemProbe(), run: async (cmd) => ({ ok: false, reason: 'not-installed', detail: `${cmd} not found` }) };
    expect(await firewallCollector.collect(probe)).toMatchObject({ status: 'unknown', value: null });
  });
});

describe('platforms without collectors', () => {
  it('report every signal but the agent version as unsupported, naming the platform', async () => {
    const probe: Probe = { ...systemProbe(), platform: 'win32' };
    const p = await collectPosture({ probe });
    for (const n of SIGNAL_NAMES) {
      if (n === 'agentVersion') expect(p.signals[n].status).toBe('ok');
      else expect(p.signals[n]).toMatchObject({ status: 'unsupported', value: null, source: expect.stringContaining('not implemented for win32') });
    }
  });

  it('turns a collector that throws into unknown', async () => {
    const p = await collectPosture({ collectors: [{ signal: 'kernel', collect: async () => { throw new Error('boom'); } }] });
    expect(p.signals.kernel).toEqual({ value: null, status: 'unknown', source: 'collector error: boom' });
    expect(p.signals.osName.status).toBe('unsupported');
  });
});
