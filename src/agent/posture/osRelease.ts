// osName and osVersion from os-release(5): /etc/os-release, else /usr/lib/os-release.
import { parseOsRelease } from './parseOsRelease.js';
import { ok, unknown, type Collector, type Probe, type Signal } from './types.js';

const FILES = ['/etc/os-release', '/usr/lib/os-release'];

async function fromOsRelease(probe: Probe, key: 'NAME' | 'VERSION_ID', fallback?: 'VERSION' | 'BUILD_ID'): Promise<Signal> {
  for (const f of FILES) {
    const text = await probe.readText(f);
    if (text === undefined) continue;
    const rel = parseOsRelease(text);
    const v = rel[key] ?? (fallback ? rel[fallback] : undefined);
    if (v) return ok(v, `file:${f} ${rel[key] ? key : fallback}`);
    return unknown(`file:${f} (no ${key})`);
  }
  return unknown(`file:${FILES.join(', file:')} (not readable)`);
}

export const osNameCollector: Collector = { signal: 'osName', collect: (p) => fromOsRelease(p, 'NAME') };
// Rolling releases (Arch) have no VERSION_ID; BUILD_ID is what they carry instead.
export const osVersionCollector: Collector = { signal: 'osVersion', collect: (p) => fromOsRelease(p, 'VERSION_ID', 'BUILD_ID') };
