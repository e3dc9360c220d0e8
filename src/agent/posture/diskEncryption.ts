// Is the root filesystem on an encrypted block device? From the lsblk tree: the device
// mounted at / with a `crypt` (dm-crypt/LUKS) device on its path → true; a plain path →
// false; / not found as a block device (container, overlay, ZFS, network) → unknown.
import { describeCommand, ok, unknown, type Collector, type Signal } from './types.js';

const CMD = 'lsblk';
const ARGS = ['-J', '-o', 'NAME,TYPE,MOUNTPOINT,FSTYPE'];

interface LsblkNode {
  name?: string;
  type?: string;
  mountpoint?: string | null;
  mountpoints?: (string | null)[];
  children?: LsblkNode[];
}

/** The chain from a top-level device down to the one mounted at /, or undefined. */
export function rootChain(lsblkJson: string): LsblkNode[] | undefined {
  let doc: { blockdevices?: LsblkNode[] };
  try {
    doc = JSON.parse(lsblkJson) as { blockdevices?: LsblkNode[] };
  } catch {
    return undefined;
  }
  const walk = (nodes: LsblkNode[] | undefined, path: LsblkNode[]): LsblkNode[] | undefined => {
    for (const n of nodes ?? []) {
      const here = [...path, n];
      if (n.mountpoint === '/' || n.mountpoints?.includes('/')) return here;
      const found = walk(n.children, here);
      if (found) return found;
    }
    return undefined;
  };
  return walk(doc.blockdevices, []);
}

export function diskEncryptionFromLsblk(lsblkJson: string): Signal {
  const source = describeCommand(CMD, ARGS);
  const chain = rootChain(lsblkJson);
  if (!chain) return unknown(`${source} (/ is not on a block device lsblk lists)`);
  const crypt = chain.find((n) => n.type === 'crypt');
  const path = chain.map((n) => `${n.name ?? '?'}:${n.type ?? '?'}`).join(' > ');
  return ok(Boolean(crypt), `${source} (/ on ${path})`);
}

export const diskEncryptionCollector: Collector = {
  signal: 'diskEncrypted',
  async collect(probe) {
    const r = await probe.run(CMD, ARGS);
    if (!r.ok) return unknown(`${describeCommand(CMD, ARGS)} (${r.reason}: ${r.detail})`);
    return diskEncryptionFromLsblk(r.stdout);
  },
};
