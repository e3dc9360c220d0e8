// The real agent (src/agent: enroll, posture, cert) against the devices routes over HTTPS:
// both sides of the HTTP contract agree, with the machine's own posture collectors too.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll, ensureAgentHome, pinFilePath, reportPosture, requestCertificate, writeSession, type PostureSignals } from '../../src/agent/index.js';
import { tlsServerOptions } from '../../src/http/index.js';
import { tmpHome } from '../helpers/tmpHome.js';
import { deviceFixture, type Fixture } from './deviceFixture.js';
import { goodSignals } from './goodSignals.js';

describe('agent and broker agree on the devices contract', () => {
  let f: Fixture;
  let server: Server;
  let home: string;

  beforeAll(async () => {
    f = await deviceFixture();
    const creds = await f.broker.ca.serverCredentials();
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: f.app.fetch, createServer, serverOptions: tlsServerOptions(creds), hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
    });
    const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
    home = ensureAgentHome(`${tmpHome('radgate-agent-')}/home`);
    writeFileSync(pinFilePath(home, new URL(origin)), f.broker.ca.rootPem());
    const a = await f.agent(await f.user('alice'));
    writeSession(home, { server: origin, token: a.token, sessionId: a.sessionId, expiresAt: new Date(a.expiresAt).toISOString(), user: { id: a.user.id, displayName: a.user.displayName, kind: a.user.kind } });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await f?.close();
  });

  it('enrols, reports posture and obtains a certificate with the agent library', async () => {
    const device = await enroll({ home });
    expect(device.state).toBe('active');
    const posture = await reportPosture({ home, collect: async () => ({ collectedAt: Date.now(), platform: 'linux', signals: goodSignals as unknown as PostureSignals }) });
    expect(posture.tier).toBe('high');
    const cert = await requestCertificate({ home });
    const x = new X509Certificate(readFileSync(cert.certFile));
    expect(x.subjectAltName).toContain(`urn:radgate:device:${device.deviceId}`);
  });

  it("accepts the agent's own collectors' report on this machine", async () => {
    const posture = await reportPosture({ home });
    expect(['high', 'standard', 'low', 'untrusted']).toContain(posture.tier);
  });
});
