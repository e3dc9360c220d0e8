// UEFI Secure Boot state from the SecureBoot EFI variable (4 attribute bytes, then 1 = on,
// 0 = off), else `mokutil --sb-state`. Not booted via UEFI, or efivars hidden → unknown.
import { describeCommand, ok, unknown, type Collector, type Signal } from './types.js';

export const SECURE_BOOT_VAR = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';

export function parseSecureBootVar(bytes: Buffer): boolean | undefined {
  if (bytes.length !== 5) return undefined;
  const v = bytes[4];
  return v === 1 ? true : v === 0 ? false : undefined;
}

export function parseMokutil(text: string): boolean | undefined {
  if (/SecureBoot enabled/i.test(text)) return true;
  if (/SecureBoot disabled/i.test(text)) return false;
  return undefined;
}

export const secureBootCollector: Collector = {
  signal: 'secureBoot',
  async collect(probe): Promise<Signal> {
    const tried: string[] = [];
    const bytes = await probe.readBytes(SECURE_BOOT_VAR);
    if (bytes) {
      const v = parseSecureBootVar(bytes);
      if (v !== undefined) return ok(v, `file:${SECURE_BOOT_VAR}`);
      tried.push(`file:${SECURE_BOOT_VAR} (unexpected content)`);
    } else {
      tried.push((await probe.exists('/sys/firmware/efi')) ? `file:${SECURE_BOOT_VAR} (not readable)` : 'file:/sys/firmware/efi (absent: not booted via UEFI, or efivars not exposed)');
    }
    const args = ['--sb-state'];
    const r = await probe.run('mokutil', args);
    const v = r.ok ? parseMokutil(r.stdout) : undefined;
    if (v !== undefined) return ok(v, describeCommand('mokutil', args));
    tried.push(`${describeCommand('mokutil', args)} (${r.ok ? 'unrecognised output' : `${r.reason}: ${r.detail}`})`);
    return unknown(tried.join('; '));
  },
};
