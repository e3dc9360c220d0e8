// Collectors per operating system. Linux reads real signals; other platforms report
// every signal except the agent's own version as unsupported, saying so plainly.
import { agentVersionCollector } from './agentVersionSignal.js';
import { diskEncryptionCollector } from './diskEncryption.js';
import { firewallCollector } from './firewall.js';
import { kernelCollector } from './kernel.js';
import { osNameCollector, osVersionCollector } from './osRelease.js';
import { packageUpdateAgeCollector } from './packageUpdateAge.js';
import { screenLockCollector } from './screenLock.js';
import { secureBootCollector } from './secureBoot.js';
import { SIGNAL_NAMES, unsupported, type Collector } from './types.js';

const LINUX: Collector[] = [
  osNameCollector,
  osVersionCollector,
  kernelCollector,
  packageUpdateAgeCollector,
  diskEncryptionCollector,
  firewallCollector,
  screenLockCollector,
  secureBootCollector,
  agentVersionCollector,
];

const REGISTRY: Partial<Record<NodeJS.Platform, Collector[]>> = { linux: LINUX };

export const SUPPORTED_PLATFORMS = Object.keys(REGISTRY);

export function collectorsFor(platform: NodeJS.Platform): Collector[] {
  const own = REGISTRY[platform];
  if (own) return own;
  return SIGNAL_NAMES.map((signal) =>
    signal === 'agentVersion'
      ? agentVersionCollector
      : { signal, collect: async () => unsupported(`platform:${platform} (posture collection is not implemented for ${platform} yet; supported: ${SUPPORTED_PLATFORMS.join(', ')})`) },
  );
}
