// The built CLI as a separate process: help, config errors, migrate.
import { describe, expect, it } from 'vitest';
import { radgate } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

describe('radgate CLI', () => {
  it('lists every verb with one line each in --help', () => {
    const r = radgate(['--help']);
    expect(r.status).toBe(0);
    const verbs = r.stdout.slice(r.stdout.indexOf('Verbs:'));
    for (const verb of ['serve', 'demo', 'migrate', 'ca show', 'policy validate', 'policy test', 'policy explain', 'audit verify', 'audit tail', 'audit export', 'proxy', 'tunnel', 'request', 'breakglass']) {
      expect(verbs).toMatch(new RegExp(`^  ${verb} +\\S.*$`, 'm'));
    }
  });

  it('stops on a bad config with one line naming the key path, and exit code 78', () => {
    const r = radgate(['migrate'], { RADGATE_HOME: tmpHome(), RADGATE_LISTEN__CONTROL__PORT: 'abc' });
    expect(r.status).toBe(78);
    expect(r.stderr.trim()).toBe('config: listen.control.port: expected integer 1-65535, got "abc"');
  });

  it('applies migrations with radgate migrate', () => {
    const home = tmpHome();
    const r = radgate(['migrate'], { RADGATE_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^migrations applied: [1-9]\d* \(database .*radgate\.db\)$/m);
  });

  it('names an unknown verb', () => {
    const r = radgate(['frobnicate']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
