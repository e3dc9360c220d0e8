// Posture parsers against captured outputs: each reads what is there and nothing more.
import { describe, expect, it } from 'vitest';
import { diskEncryptionFromLsblk } from './diskEncryption.js';
import { iptablesInputFiltering, nftInputFiltering } from './firewall.js';
import { packageAge } from './packageUpdateAge.js';
import { parseOsRelease } from './parseOsRelease.js';
import { parseGnomeLock } from './screenLock.js';
import { parseMokutil, parseSecureBootVar } from './secureBoot.js';

// Ubuntu laptop: LUKS → LVM → root (lsblk 2.37 -J -o NAME,TYPE,MOUNTPOINT,FSTYPE).
const LSBLK_LUKS = JSON.stringify({
  blockdevices: [
    {
      name: 'nvme0n1', type: 'disk', mountpoint: null, fstype: null,
      children: [
        { name: 'nvme0n1p1', type: 'part', mountpoint: '/boot/efi', fstype: 'vfat' },
        { name: 'nvme0n1p2', type: 'part', mountpoint: '/boot', fstype: 'ext4' },
        {
          name: 'nvme0n1p3', type: 'part', mountpoint: null, fstype: 'crypto_LUKS',
          children: [{ name: 'nvme0n1p3_crypt', type: 'crypt', mountpoint: null, fstype: 'LVM2_member', children: [{ name: 'vgubuntu-root', type: 'lvm', mountpoint: '/', fstype: 'ext4' }] }],
        },
      ],
    },
  ],
});
const LSBLK_PLAIN = '{"blockdevices":[{"name":"sda","type":"disk","mountpoint":null,"fstype":null,"children":[{"name":"sda1","type":"part","mountpoint":"/","fstype":"ext4"}]}]}';
const LSBLK_CONTAINER = '{"blockdevices":[{"name":"loop0","type":"loop","mountpoint":null,"fstype":null}]}';

describe('disk encryption from lsblk', () => {
  it('is true when / sits on a crypt device, even under LVM', () => {
    expect(diskEncryptionFromLsblk(LSBLK_LUKS)).toMatchObject({ status: 'ok', value: true, source: expect.stringContaining('nvme0n1p3_crypt:crypt') });
  });
  it('is false when / sits on a plain partition', () => {
    expect(diskEncryptionFromLsblk(LSBLK_PLAIN)).toMatchObject({ status: 'ok', value: false });
  });
  it('is unknown when / is not a listed block device, or the output is unreadable', () => {
    expect(diskEncryptionFromLsblk(LSBLK_CONTAINER)).toMatchObject({ status: 'unknown', value: null });
    expect(diskEncryptionFromLsblk('lsblk: garbage')).toMatchObject({ status: 'unknown', value: null });
  });
  it('reads the newer mountpoints array too', () => {
    const doc = '{"blockdevices":[{"name":"dm-0","type":"crypt","mountpoints":["/home","/"]}]}';
    expect(diskEncryptionFromLsblk(doc)).toMatchObject({ status: 'ok', value: true });
  });
});

describe('firewall', () => {
  it('sees an nftables input chain with policy drop or rules', () => {
    const ruleset = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { table: { family: 'inet', name: 'filter' } },
        { chain: { family: 'inet', table: 'filter', name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
        { chain: { family: 'inet', table: 'filter', name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } },
        { rule: { family: 'inet', table: 'filter', chain: 'input', expr: [] } },
      ],
    });
    expect(nftInputFiltering(ruleset)).toEqual(['inet filter input']);
    const drop = JSON.stringify({ nftables: [{ chain: { family: 'ip', table: 't', name: 'in', hook: 'input', policy: 'drop' } }] });
    expect(nftInputFiltering(drop)).toEqual(['ip t in']);
  });
  it('counts an empty ruleset or forward-only rules as no input filtering, and junk as unreadable', () => {
    expect(nftInputFiltering('{"nftables":[{"metainfo":{"version":"1.0.6"}}]}')).toEqual([]);
    expect(nftInputFiltering('{"nftables":[{"chain":{"family":"ip","table":"t","name":"f","hook":"forward","policy":"drop"}}]}')).toEqual([]);
    expect(nftInputFiltering('nope')).toBeUndefined();
  });
  it('reads iptables -S: INPUT policy and rules', () => {
    expect(iptablesInputFiltering('-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-A FORWARD -j DOCKER-USER\n')).toBe(false);
    expect(iptablesInputFiltering('-P INPUT DROP\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n')).toBe(true);
    expect(iptablesInputFiltering('-P INPUT ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n')).toBe(true);
    expect(iptablesInputFiltering('')).toBeUndefined();
  });
});

describe('os-release, package age, screen lock, Secure Boot', () => {
  it('parses quoted os-release values', () => {
    const r = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# c\n');
    expect(r).toMatchObject({ NAME: 'Debian GNU/Linux', VERSION_ID: '12', ID: 'debian' });
    expect(parseOsRelease('NAME=\'Arch Linux\'\nBUILD_ID=rolling').NAME).toBe('Arch Linux');
  });
  it('turns a package database mtime into an age, and a future mtime into unknown', () => {
    expect(packageAge(10_000, '/f', 4_000)).toEqual({ value: 6, status: 'ok', source: 'mtime:/f' });
    expect(packageAge(10_000, '/f', 20_000)).toMatchObject({ status: 'unknown', value: null });
    expect(packageAge(10_000, '/f', undefined)).toBeUndefined();
  });
  it('reads GNOME lock settings', () => {
    expect(parseGnomeLock('true\n', 'uint32 300\n')).toBe(true);
    expect(parseGnomeLock('true', 'uint32 0')).toBe(false);
    expect(parseGnomeLock('false', 'uint32 300')).toBe(false);
    expect(parseGnomeLock('No such schema', 'uint32 300')).toBeUndefined();
  });
  it('reads the SecureBoot EFI variable and mokutil', () => {
    expect(parseSecureBootVar(Buffer.from([6, 0, 0, 0, 1]))).toBe(true);
    expect(parseSecureBootVar(Buffer.from([6, 0, 0, 0, 0]))).toBe(false);
    expect(parseSecureBootVar(Buffer.from([6, 0, 0, 0]))).toBeUndefined();
    expect(parseMokutil('SecureBoot enabled\n')).toBe(true);
    expect(parseMokutil('SecureBoot disabled\nPlatform is in Setup Mode\n')).toBe(false);
    expect(parseMokutil('EFI variables are not supported on this system')).toBeUndefined();
  });
});
