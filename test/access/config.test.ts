// Issue 7 config: targets, durations and the tunnel gateway section, with bad values
// named by path.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { tmpHome } from '../helpers/tmpHome.js';

const cwd = tmpHome('radgate-config-');

const load = (overrides: Record<string, unknown>) => loadConfig({ env: {}, cwd, overrides: { home: cwd, ...overrides } });
const problems = (overrides: Record<string, unknown>) => {
  try {
    load(overrides);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('access and tunnel gateway config', () => {
  it('has safe defaults: no targets, tunnel gateway off, 1 h break-glass, two approvers for high risk', () => {
    const c = load({});
    expect(c.access).toMatchObject({ targets: [], defaultDuration: 7200, breakGlassMaxDuration: 3600, highRiskApprovals: 2, pendingTtl: 86400 });
    expect(c.access.roleMaxDuration).toMatchObject({ vendor: 8 * 3600 });
    expect(c.gateways.tunnel).toMatchObject({ enabled: false, listen: { host: '127.0.0.1', port: 8445 }, recordingDir: 'recordings', prefaceTimeout: 10 });
  });

  it('parses declared targets with labels, durations and recording', () => {
    const c = load({ 'access.targets': [{ name: 'ct-1-ssh', address: 'ct1.rad.example:22', labels: { risk: 'high', site: 'main' }, maxDuration: '90m', recording: true }] });
    expect(c.access.targets[0]).toEqual({ name: 'ct-1-ssh', kind: 'tcp', address: 'ct1.rad.example:22', labels: { risk: 'high', site: 'main' }, maxDuration: 5400, recording: true });
  });

  it.each([
    [{ 'access.targets': [{ name: 'x', address: 'no-port' }] }, 'access.targets.0.address: expected host:port'],
    [{ 'access.targets': [{ name: 'x', address: 'h:70000' }] }, 'access.targets.0.address: expected a port 1-65535'],
    [{ 'access.targets': [{ name: 'Bad Name', address: 'h:22' }] }, 'access.targets.0.name: expected a short lower-case name'],
    [{ 'access.targets': [{ name: 'x', address: 'h:22', labels: { risk: 'extreme' } }] }, 'access.targets.0.labels.risk: expected "low", "medium" or "high"'],
    [{ 'access.targets': [{ name: 'x', address: 'h:22', kind: 'web' }] }, 'access.targets.0.kind: expected "tcp"'],
    [{ 'access.targets': [{ name: 'x', address: 'h:22' }, { name: 'x', address: 'h:23' }] }, 'target names must be unique'],
    [{ 'access.breakGlassMaxDuration': '12h' }, 'access.breakGlassMaxDuration: expected 1m-8h'],
    [{ 'access.highRiskApprovals': 1 }, 'access.highRiskApprovals'],
    [{ 'access.surprise': true }, 'access.surprise: unknown key'],
    [{ 'gateways.tunnel.listen.port': 70000 }, 'gateways.tunnel.listen.port'],
  ])('refuses %j naming the path', (overrides, message) => {
    expect(problems(overrides)).toContain(message);
  });
});
