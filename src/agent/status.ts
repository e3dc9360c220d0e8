// `radgate status`: who is signed in, which device, its tier and posture age, and the
// client certificate, from local state plus GET /devices when the broker answers.
import { resolveAgentHome } from './agentHome.js';
import { openBrokerSession } from './brokerSession.js';
import { readCurrentCertificate } from './certificateFiles.js';
import { readDevice } from './deviceFile.js';
import { describeFailure } from './httpsRequest.js';
import { readSession } from './sessionFile.js';

export interface AgentStatus {
  server: string | null;
  user: { id: string; displayName: string | null; kind: string } | null;
  session: { id: string; expiresAt: string; expired: boolean } | null;
  device: {
    id: string;
    name: string | null;
    state: string;
    tier: string | null;
    /** Epoch ms of the last accepted posture report, null when none. */
    postureAt: number | null;
    postureAgeSeconds: number | null;
    /** Where tier/state came from. */
    source: 'broker' | 'local';
  } | null;
  certificate: { serial: string; notBefore: string; notAfter: string; expiresInSeconds: number; expired: boolean } | null;
  /** 'ok', or why the broker was not asked / did not answer. */
  broker: string;
}

const toMs = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
};

export async function status(o: { home?: string; clock?: () => number } = {}): Promise<AgentStatus> {
  const home = o.home ?? resolveAgentHome();
  const now = (o.clock ?? Date.now)();
  const session = readSession(home);
  const device = readDevice(home);
  const cert = readCurrentCertificate(home);
  const out: AgentStatus = {
    server: session?.server ?? device?.server ?? null,
    user: session ? session.user : null,
    session: session ? { id: session.sessionId, expiresAt: session.expiresAt, expired: Date.parse(session.expiresAt) <= now } : null,
    device: null,
    certificate: cert
      ? { serial: cert.serial, notBefore: cert.notBefore, notAfter: cert.notAfter, expiresInSeconds: Math.floor((Date.parse(cert.notAfter) - now) / 1000), expired: Date.parse(cert.notAfter) <= now }
      : null,
    broker: 'not asked',
  };
  if (device) {
    const postureAt = toMs(device.posture?.postureAt);
    out.device = {
      id: device.deviceId,
      name: device.name ?? null,
      state: device.state,
      tier: device.posture?.tier ?? null,
      postureAt,
      postureAgeSeconds: postureAt === null ? null : Math.max(0, Math.floor((now - postureAt) / 1000)),
      source: 'local',
    };
  }
  if (!session || out.session?.expired) {
    out.broker = session ? 'not asked: the session has expired' : 'not asked: not logged in';
    return out;
  }
  try {
    const res = await openBrokerSession(home, () => now).call('GET', '/devices');
    if (res.status !== 200 || !Array.isArray(res.body)) {
      out.broker = `GET /devices: ${describeFailure(res)}`;
      return out;
    }
    out.broker = 'ok';
    const mine = (res.body as Record<string, unknown>[]).find((d) => d && d.id === device?.deviceId);
    if (mine && out.device) {
      const postureAt = toMs(mine.postureAt);
      out.device = {
        ...out.device,
        name: typeof mine.name === 'string' ? mine.name : out.device.name,
        state: typeof mine.state === 'string' ? mine.state : out.device.state,
        tier: typeof mine.tier === 'string' ? mine.tier : null,
        postureAt,
        postureAgeSeconds: postureAt === null ? null : Math.max(0, Math.floor((now - postureAt) / 1000)),
        source: 'broker',
      };
    } else if (out.device) out.broker = 'ok (the broker does not list this device for this user)';
  } catch (err) {
    out.broker = `unreachable: ${(err as Error).message}`;
  }
  return out;
}
