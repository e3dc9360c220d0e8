import { createServer, connect, type Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, type RadgateEvent } from '../../events/index.js';
import { createSessionRegistry, type LiveSessionInit } from './createSessionRegistry.js';

interface Pair {
  client: Socket;
  closedAt: Promise<number>;
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A real loopback TCP connection standing in for a proxied client connection. */
async function pair(): Promise<Pair> {
  const server = createServer((sock) => sock.on('error', () => undefined));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  const closedAt = new Promise<number>((r) => client.once('close', () => r(performance.now())));
  return { client, closedAt };
}

function setup() {
  const bus = createInProcessBus((err) => {
    throw err;
  });
  const events: { type: string; detail?: Record<string, unknown> }[] = [];
  const registry = createSessionRegistry({ bus, audit: { append: async (e) => (events.push(e), { seq: events.length, hash: '' }) } });
  return { bus, registry, events };
}

const base = (p: Pair, over: Partial<LiveSessionInit> = {}): LiveSessionInit => ({
  gateway: 'http',
  userId: 'u1',
  deviceId: 'd1',
  serial: 'AB01',
  loginSessionId: 's1',
  grantId: null,
  target: 'pacs',
  close: () => p.client.destroy(),
  ...over,
});

describe('live-session registry', () => {
  const cases: [string, RadgateEvent, Partial<LiveSessionInit>][] = [
    ['its certificate is revoked', { type: 'certificate.revoked', serial: 'ab01', reason: 'keyCompromise' }, {}],
    ['its login session ends (logout, back-channel logout)', { type: 'session.ended', sessionId: 's1', userId: 'u1', reason: 'backchannel-logout' }, {}],
    ['its user is disabled', { type: 'user.disabled', userId: 'u1' }, {}],
    ['its device is revoked', { type: 'device.revoked', deviceId: 'd1' }, {}],
    ['its device turns untrusted', { type: 'device.posture', deviceId: 'd1', tier: 'untrusted' }, {}],
    ['its vendor grant ends', { type: 'grant.ended', grantId: 'g1', reason: 'revoked' }, { grantId: 'g1' }],
  ];
  for (const [rule, event, over] of cases) {
    it(`cuts a live connection within 1 s when ${rule}, and audits the cause`, async () => {
      const { bus, registry, events } = setup();
      const p = await pair();
      const other = await pair();
      registry.register(base(p, over));
      registry.register(base(other, { userId: 'u2', deviceId: 'd2', serial: 'CD02', loginSessionId: 's2', grantId: 'g2' }));
      const t0 = performance.now();
      bus.emit(event);
      const closed = await p.closedAt;
      expect(closed - t0).toBeLessThan(1000);
      await bus.drain();
      expect(other.client.destroyed).toBe(false);
      expect(registry.size).toBe(1);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'gateway.session.cut', outcome: 'deny' });
      other.client.destroy();
    });
  }

  it('re-decides every connection when policy is activated and cuts only the denied ones', async () => {
    const { bus, registry, events } = setup();
    const denied = await pair();
    const allowed = await pair();
    registry.register(base(denied, { recheck: () => false }));
    registry.register(base(allowed, { userId: 'u2', recheck: async () => true }));
    bus.emit({ type: 'policy.activated', version: 'v2' });
    await denied.closedAt;
    await bus.drain();
    expect(allowed.client.destroyed).toBe(false);
    expect(events.map((e) => e.detail?.cause)).toEqual(['policy-activated:v2']);
    allowed.client.destroy();
  });

  it('fails closed: a recheck that throws cuts the connection', async () => {
    const { bus, registry } = setup();
    const p = await pair();
    registry.register(
      base(p, {
        recheck: () => {
          throw new Error('policy engine down');
        },
      }),
    );
    bus.emit({ type: 'device.posture', deviceId: 'd1', tier: 'low' });
    await p.closedAt;
    expect(registry.size).toBe(0);
  });

  it('leaves a normally closed connection out of later cuts', async () => {
    const { bus, registry, events } = setup();
    const p = await pair();
    const { unregister } = registry.register(base(p));
    unregister();
    bus.emit({ type: 'user.disabled', userId: 'u1' });
    await bus.drain();
    expect(events).toHaveLength(0);
    expect(p.client.destroyed).toBe(false);
    p.client.destroy();
  });
});
