// A healthy device's posture signals, as the agent reports them.
export const goodSignals = {
  osName: { value: 'Debian', status: 'ok', source: '/etc/os-release' },
  osVersion: { value: '12', status: 'ok', source: '/etc/os-release' },
  kernel: { value: '6.1.0', status: 'ok', source: 'uname' },
  lastPackageUpdateAgeSeconds: { value: 3600, status: 'ok', source: 'dpkg.log' },
  diskEncrypted: { value: true, status: 'ok', source: 'lsblk' },
  firewallActive: { value: true, status: 'ok', source: 'nft' },
  screenLock: { value: true, status: 'ok', source: 'gsettings' },
  secureBoot: { value: true, status: 'ok', source: 'mokutil' },
  agentVersion: { value: '0.1.0', status: 'ok', source: 'agent' },
};
