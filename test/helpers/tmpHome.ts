// A throw-away radgate home with the repository's policies, for tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function tmpHome(prefix = 'radgate-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function testConfig(home: string, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    env: {},
    cwd: REPO_ROOT,
    overrides: { home, 'log.level': 'silent', 'policy.dir': path.join(REPO_ROOT, 'policies'), ...overrides },
  });
}
