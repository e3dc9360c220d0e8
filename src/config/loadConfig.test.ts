import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './loadConfig.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'radgate-config-'));

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return (err as Error).message.split('\n');
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('starts with zero config: data in ./.radgate, control plane on 127.0.0.1', () => {
    const cwd = tmp();
    const cfg = loadConfig({ env: {}, cwd });
    expect(cfg.paths.home).toBe(path.join(cwd, '.radgate'));
    expect(cfg.listen.control.host).toBe('127.0.0.1');
    expect(cfg.paths.store).toBe(path.join(cwd, '.radgate', 'radgate.db'));
    expect(cfg.mode).toBe('development');
  });

  it('honours RADGATE_HOME and nested RADGATE_* overrides', () => {
    const cwd = tmp();
    const cfg = loadConfig({ env: { RADGATE_HOME: '/srv/rg', RADGATE_LISTEN__CONTROL__PORT: '9443', RADGATE_CA__CLIENT_CERT_MAX_TTL: '2h' }, cwd });
    expect(cfg.paths.home).toBe('/srv/rg');
    expect(cfg.listen.control.port).toBe(9443);
    expect(cfg.ca.clientCertMaxTtl).toBe(7200);
  });

  it('reads radgate.yaml and lets the environment win over it', () => {
    const cwd = tmp();
    writeFileSync(path.join(cwd, 'radgate.yaml'), 'listen:\n  control:\n    port: 7443\nlog:\n  level: warn\n');
    const cfg = loadConfig({ env: { RADGATE_LOG__LEVEL: 'error' }, cwd });
    expect(cfg.listen.control.port).toBe(7443);
    expect(cfg.log.level).toBe('error');
  });

  it('names the key path and the expectation for a bad port', () => {
    expect(problems(() => loadConfig({ env: { RADGATE_LISTEN__CONTROL__PORT: 'abc' }, cwd: tmp() }))).toContain(
      'config: listen.control.port: expected integer 1-65535, got "abc"',
    );
  });

  it('reports every problem at once, one line each', () => {
    const lines = problems(() =>
      loadConfig({ env: { RADGATE_LISTEN__CONTROL__PORT: '70000', RADGATE_MODE: 'prod', RADGATE_NOPE: '1', RADGATE_AUDIT__CHECKPOINT_INTERVAL: 'soon' }, cwd: tmp() }),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'config: listen.control.port: expected integer 1-65535, got 70000',
        'config: mode: expected "development" or "production", got "prod"',
        'config: nope: unknown key',
        expect.stringMatching(/^config: audit\.checkpointInterval: expected a duration/),
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('rejects a config file that is not a mapping or not YAML', () => {
    const cwd = tmp();
    writeFileSync(path.join(cwd, 'radgate.yaml'), '- just\n- a list\n');
    expect(problems(() => loadConfig({ env: {}, cwd }))[0]).toMatch(/expected a mapping at the top level/);
    writeFileSync(path.join(cwd, 'radgate.yaml'), 'listen: [unclosed\n');
    expect(problems(() => loadConfig({ env: {}, cwd }))[0]).toMatch(/^config: .*radgate\.yaml: /);
  });

  it('fails clearly when RADGATE_CONFIG names a missing file', () => {
    expect(problems(() => loadConfig({ env: { RADGATE_CONFIG: 'missing.yaml' }, cwd: tmp() }))[0]).toMatch(/missing\.yaml: file not found/);
  });

  it('returns a frozen object', () => {
    const cfg = loadConfig({ env: {}, cwd: tmp() });
    expect(Object.isFrozen(cfg.listen.control)).toBe(true);
    expect(() => {
      (cfg.listen.control as { port: number }).port = 1;
    }).toThrow();
  });
});
