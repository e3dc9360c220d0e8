// `radgate login --device` for headless machines (RFC 8628): ask for a user code, let the
// user approve it in any browser where they can sign in, poll /agent/token at the given
// interval (5 s longer after each slow_down) until approved, denied or expired.
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { describeFailure, httpsRequest } from './httpsRequest.js';
import { requestToken } from './requestToken.js';
import { parseServerUrl } from './serverUrl.js';
import { resolveTrust, type TrustOptions } from './serverTrust.js';
import { writeSession, type AgentSession } from './sessionFile.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MAX_BACKOFF_S = 60;

export interface DeviceLoginOptions extends TrustOptions {
  server: string;
  print: (line: string) => void;
  home?: string;
  /** Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
}

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval: number;
}

export async function loginDevice(o: DeviceLoginOptions): Promise<AgentSession> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const clock = o.clock ?? Date.now;
  const home = o.home ?? resolveAgentHome();
  const server = parseServerUrl(o.server);
  const trust = await resolveTrust(home, server, o);

  const res = await httpsRequest({ url: new URL('/agent/device', server), method: 'POST', ca: trust.ca, json: {} });
  if (res.status !== 200) throw new AgentError('server-error', `the broker refused to start a device sign-in (${describeFailure(res)})`);
  const d = parseDeviceAuthorization(res.body);

  o.print('To sign in, open this page in any browser where you can use your radgate sign-in and security key:');
  o.print(`  ${d.verification_uri}`);
  o.print(`and enter the code:   ${d.user_code}`);
  if (d.verification_uri_complete) o.print(`(or open ${d.verification_uri_complete} and check that it shows the same code)`);
  o.print(`The code expires in ${Math.round(d.expires_in / 60)} minutes. Waiting…`);

  const deadline = clock() + d.expires_in * 1000;
  let interval = d.interval;
  for (;;) {
    await sleep(interval * 1000);
    if (clock() >= deadline) throw new AgentError('expired', 'the code expired before it was approved; run radgate login --device again');
    let result;
    try {
      result = await requestToken(server, trust.ca, { grant_type: DEVICE_CODE_GRANT, device_code: d.device_code });
    } catch (err) {
      // RFC 8628 3.5: back off on connection trouble instead of hammering the broker.
      if (err instanceof AgentError && err.code === 'network') {
        interval = Math.min(interval * 2, MAX_BACKOFF_S);
        continue;
      }
      throw err;
    }
    if (result.ok) {
      trust.pin();
      writeSession(home, result.session);
      return result.session;
    }
    switch (result.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval += 5;
        continue;
      case 'access_denied':
        throw new AgentError('access-denied', 'the sign-in was denied in the browser');
      case 'expired_token':
        throw new AgentError('expired', 'the code expired before it was approved; run radgate login --device again');
      default:
        throw new AgentError('protocol', `the broker refused the sign-in: ${result.description}`);
    }
  }
}

function parseDeviceAuthorization(body: unknown): DeviceAuthorization {
  const b = (body ?? {}) as Record<string, unknown>;
  const ok =
    typeof b.device_code === 'string' &&
    b.device_code.length > 0 &&
    typeof b.user_code === 'string' &&
    /^[A-Z0-9-]{4,16}$/i.test(b.user_code) &&
    typeof b.verification_uri === 'string' &&
    /^https:\/\//.test(b.verification_uri) &&
    (b.verification_uri_complete === undefined || (typeof b.verification_uri_complete === 'string' && /^https:\/\//.test(b.verification_uri_complete))) &&
    typeof b.expires_in === 'number' &&
    b.expires_in > 0 &&
    (b.interval === undefined || (typeof b.interval === 'number' && b.interval >= 0));
  if (!ok) throw new AgentError('protocol', 'the broker answered the device request with an unexpected body');
  return {
    device_code: b.device_code as string,
    user_code: b.user_code as string,
    verification_uri: b.verification_uri as string,
    ...(typeof b.verification_uri_complete === 'string' ? { verification_uri_complete: b.verification_uri_complete } : {}),
    expires_in: Math.min(b.expires_in as number, 3600),
    // RFC 8628 3.2: 5 seconds when absent; never below 1 s.
    interval: Math.max(1, (b.interval as number | undefined) ?? 5),
  };
}
