// `radgate devices list|approve|revoke` over real HTTPS with the agent's session file and
// pinned root, against the devices routes behind identity's middleware.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureAgentHome, pinFilePath, writeSession } from '../../src/agent/index.js';
import { registerDevicesCommands } from '../../src/cli/devices.js';
import { tlsServerOptions } from '../../src/http/index.js';
import { writeFileSync } from 'node:fs';
import { tmpHome } from '../helpers/tmpHome.js';
import { deviceFixture, type Agent, type Fixture } from './deviceFixture.js';

describe('radgate devices (admin CLI)', () => {
  let f: Fixture;
  let server: Server;
  let agentHome: string;
  let origin: string;
  let vera: Agent;

  const login = (a: Agent) =>
    writeSession(agentHome, { server: origin, token: a.token, sessionId: a.sessionId, expiresAt: new Date(a.expiresAt).toISOString(), user: { id: a.user.id, displayName: a.user.displayName, kind: a.user.kind } });

  async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
    const out: string[] = [];
    const err: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    process.exitCode = 0;
    try {
      const program = new Command().exitOverride();
      registerDevicesCommands(program);
      await program.parseAsync(['node', 'radgate', 'devices', ...args]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { out: out.join(''), err: err.join(''), code };
  }

  beforeAll(async () => {
    f = await deviceFixture();
    const creds = await f.broker.ca.serverCredentials();
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: f.app.fetch, createServer, serverOptions: tlsServerOptions(creds), hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
    });
    origin = `https://localhost:${(server.address() as AddressInfo).port}`;
    agentHome = ensureAgentHome(`${tmpHome('radgate-agent-')}/home`);
    writeFileSync(pinFilePath(agentHome, new URL(origin)), f.broker.ca.rootPem());
    process.env.RADGATE_AGENT_HOME = agentHome;
    vera = await f.agent(await f.user('vera', { kind: 'vendor', roles: ['vendor'] }));
  });
  afterAll(async () => {
    delete process.env.RADGATE_AGENT_HOME;
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await f?.close();
  });

  it('lists pending devices, approves one and revokes it', async () => {
    const d = await f.enroll(vera);
    login(await f.agent(await f.user('ada', { roles: ['admin'] })));
    const list = await cli('list', '--state', 'pending');
    expect(list.code).toBe(0);
    expect(list.out).toContain(d.deviceId);
    expect(list.out).toMatch(/pending/);
    const approve = await cli('approve', d.deviceId);
    expect(approve).toMatchObject({ code: 0, out: `${d.deviceId}: active\n` });
    const revoke = await cli('revoke', d.deviceId);
    expect(revoke).toMatchObject({ code: 0, out: `${d.deviceId}: revoked, 0 certificate(s) revoked\n` });
    expect((await f.broker.store.devices.get(d.deviceId))?.state).toBe('revoked');
  });

  it('tells an admin whose key verification is old to sign in again', async () => {
    const d = await f.enroll(vera);
    login(await f.agent(await f.user('ada2', { roles: ['admin'] }), { verifiedAt: Date.now() - 10 * 60_000 }));
    const r = await cli('approve', d.deviceId);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HTTP 403.*radgate login/);
    expect((await f.broker.store.devices.get(d.deviceId))?.state).toBe('pending');
  });

  it('refuses a non-admin', async () => {
    login(vera);
    const r = await cli('list');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HTTP 403: administrators only/);
  });
});
