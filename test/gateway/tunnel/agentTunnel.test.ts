// The agent's tunnel (src/agent/tunnel.ts) in process against a real broker and gateway:
// it takes the grant, gets a certificate bound to it, pipes local connections, renews the
// certificate before it expires when the grant outlives it, and stops at the grant's end.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinFilePath } from '../../../src/agent/serverTrust.js';
import { openTunnel } from '../../../src/agent/tunnel.js';
import { startBroker, type Broker } from '../../../src/server.js';
import { freePort } from '../../helpers/ports.js';
import { testConfig, tmpHome } from '../../helpers/tmpHome.js';

let broker: Broker;
let echo: Server;
let agentHome: string;
let userId: string;

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.end();
        resolve(got);
      }
    });
    s.once('error', reject);
    s.once('close', () => (got.length < text.length ? reject(new Error(`closed after ${JSON.stringify(got)}`)) : undefined));
    s.write(text);
  });
}

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const home = tmpHome('radgate-agent-tunnel-');
  broker = await startBroker(
    testConfig(home, {
      'listen.control.port': await freePort(),
      'gateways.tunnel.enabled': true,
      'gateways.tunnel.listen.port': 0,
      // Vendor certificates live 6 s here, so a longer grant needs renewals.
      'devices.roleMaxTtl': { vendor: '6s' },
      'access.targets': [{ name: 'echo', address: `127.0.0.1:${(echo.address() as AddressInfo).port}`, labels: { risk: 'low' } }],
    }),
  );
  const t = Date.now();
  const tag = randomBytes(4).toString('hex');
  userId = `usr_vic_${tag}`;
  await broker.store.users.upsertFromIdp({ id: userId, issuer: 'https://idp.test', subject: `vic-${tag}`, kind: 'vendor', organization: 'acme', roles: '["vendor"]', createdAt: t, updatedAt: t });
  const user = (await broker.identity.sessions.getUser(userId))!;
  const { token, session } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', credentialId: 'c', verifiedAt: t });
  const deviceId = `dev_${tag}`;
  const pub = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await broker.store.devices.insert({ id: deviceId, userId, name: 'laptop', publicKey: pub, state: 'active', createdAt: t, updatedAt: t });
  await broker.store.devices.recordPosture({ deviceId, collectedAt: t, receivedAt: t, signals: '{}', tier: 'standard', reasons: '[]' });
  agentHome = tmpHome('radgate-agent-home-');
  chmodSync(agentHome, 0o700);
  const write = (f: string, text: string) => writeFileSync(path.join(agentHome, f), text, { mode: 0o600 });
  write('session.json', JSON.stringify({ server: broker.url, token, sessionId: session.id, expiresAt: new Date(session.expiresAt).toISOString(), user: { id: userId, displayName: 'vic', kind: 'vendor' } }));
  write('device.json', JSON.stringify({ deviceId, server: broker.url, state: 'active', enrolledAt: new Date(t).toISOString() }));
  writeFileSync(pinFilePath(agentHome, new URL(broker.url)), broker.ca.rootPem(), { mode: 0o600 });
}, 60_000);
afterAll(async () => {
  await broker?.close();
  echo?.close();
});

describe('agent tunnel', () => {
  it('refuses to listen without a grant, naming the request verb', async () => {
    await expect(openTunnel({ home: agentHome, target: 'echo', listen: { host: '127.0.0.1', port: 0 } })).rejects.toThrow(/no active grant for echo; ask for one with radgate request/);
  });

  it('pipes local connections, renews its certificate while the grant lasts, and stops at the grant’s end', async () => {
    const now = Date.now();
    await broker.store.access.insertGrant({ id: `grt_${now}`, requestId: null, userId, target: 'echo', startAt: now, endAt: now + 9000, state: 'active', breakGlass: false, reason: 'test', createdAt: now });
    broker.access.scheduler.track(`grt_${now}`);
    const lines: string[] = [];
    const t = await openTunnel({ home: agentHome, target: 'echo', listen: { host: '127.0.0.1', port: 0 }, print: (l) => void lines.push(l) });
    expect(t.grantId).toBe(`grt_${now}`);
    const first = t.certificate.serial;
    expect(Date.parse(t.certificate.notAfter) - now).toBeLessThanOrEqual(7000);
    expect(await roundTrip(t.port, 'hello through the tunnel')).toBe('hello through the tunnel');
    // After two thirds of the 6 s lifetime a new certificate is in use.
    await new Promise((r) => setTimeout(r, 5000));
    expect(lines.some((l) => /renewed the certificate/.test(l))).toBe(true);
    expect(t.certificate.serial).not.toBe(first);
    expect(await roundTrip(t.port, 'still here')).toBe('still here');
    // The grant ends at 9 s: the listener closes.
    expect(await t.done).toBe('grant-ended');
    expect(Date.now() - (now + 9000)).toBeLessThan(1000);
    expect(lines.some((l) => /the grant ended/.test(l))).toBe(true);
  }, 30_000);
});
