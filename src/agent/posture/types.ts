// Posture signals as the broker receives them: a value, whether it was read, and how.
// `unknown` means the agent tried and could not tell; it is never a guess.

export const SIGNAL_NAMES = [
  'osName',
  'osVersion',
  'kernel',
  'lastPackageUpdateAgeSeconds',
  'diskEncrypted',
  'firewallActive',
  'screenLock',
  'secureBoot',
  'agentVersion',
] as const;

export type SignalName = (typeof SIGNAL_NAMES)[number];

export type SignalStatus = 'ok' | 'unknown' | 'unsupported';

export interface Signal {
  value: string | number | boolean | null;
  status: SignalStatus;
  /** How it was read, e.g. `file:/etc/os-release`, or what was tried when unknown. */
  source: string;
}

export type PostureSignals = Record<SignalName, Signal>;

export type CommandResult =
  | { ok: true; stdout: string }
  | { ok: false; reason: 'not-installed' | 'denied' | 'failed' | 'timeout'; detail: string };

/** The machine as collectors see it; tests pass recorded answers. */
export interface Probe {
  platform: NodeJS.Platform;
  readText(file: string): Promise<string | undefined>;
  readBytes(file: string): Promise<Buffer | undefined>;
  /** Modification time in epoch ms, undefined when missing. */
  mtimeMs(file: string): Promise<number | undefined>;
  exists(file: string): Promise<boolean>;
  /** Runs a program without a shell, with a short timeout and LC_ALL=C. */
  run(cmd: string, args: string[]): Promise<CommandResult>;
  env: Readonly<Record<string, string | undefined>>;
  now(): number;
}

export interface Collector {
  signal: SignalName;
  collect(probe: Probe): Promise<Signal>;
}

export const ok = (value: string | number | boolean, source: string): Signal => ({ value, status: 'ok', source });
export const unknown = (source: string): Signal => ({ value: null, status: 'unknown', source });
export const unsupported = (source: string): Signal => ({ value: null, status: 'unsupported', source });

export const describeCommand = (cmd: string, args: string[]): string => `cmd:${[cmd, ...args].join(' ')}`;
