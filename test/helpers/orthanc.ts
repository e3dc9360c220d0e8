// A fresh real Orthanc per test file: free loopback ports, a temp dir, synthetic data only.
// Under CI=true a missing Orthanc fails the run; it never turns into a skipped test.
import { rmSync } from 'node:fs';
import { describe } from 'vitest';
import { orthancInstalled, startOrthanc, type OrthancHandle, type StartOrthancOptions } from '../../src/gateway/demoPacs/index.js';
import { freePort } from './ports.js';
import { tmpHome } from './tmpHome.js';

export const IN_CI = process.env.CI === 'true';

/** `describe` when Orthanc can run here or in CI (where its absence must fail), else `describe.skip`. */
export const describeWithOrthanc = describe.skipIf(!orthancInstalled() && !IN_CI);

export interface TestOrthanc extends OrthancHandle {
  readonly dir: string;
  readonly users: Readonly<Record<string, string>>;
  /** Stops Orthanc and removes its temp dir; resolves with the stop time in ms. */
  stop(): Promise<number>;
}

export async function withOrthanc(options: Partial<Omit<StartOrthancOptions, 'dir' | 'httpPort' | 'dicomPort'>> = {}): Promise<TestOrthanc> {
  const dir = tmpHome('radgate-orthanc-');
  const users = options.users ?? { broker: `test-${Math.random().toString(36).slice(2)}` };
  let handle: OrthancHandle;
  try {
    handle = await startOrthanc({
      ...options,
      dir,
      httpPort: await freePort(),
      dicomPort: await freePort(),
      aet: options.aet ?? 'PACS_UT',
      brokerPort: options.brokerPort ?? (await freePort()),
      users,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...handle,
    dir,
    users,
    async stop() {
      const ms = await handle.stop();
      rmSync(dir, { recursive: true, force: true });
      return ms;
    },
  };
}
