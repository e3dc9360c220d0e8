// `radgate whoami`: ask the broker who the stored token belongs to and how its session stands.
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { describeFailure, httpsRequest } from './httpsRequest.js';
import { parseServerUrl } from './serverUrl.js';
import { pinnedTrust } from './serverTrust.js';
import { readSession } from './sessionFile.js';

export interface WhoamiResult {
  server: string;
  user: { id: string; displayName: string | null; kind: string } & Record<string, unknown>;
  session: { id: string; expiresAt: string | number; state: string };
}

export async function whoami(o: { home?: string } = {}): Promise<WhoamiResult> {
  const home = o.home ?? resolveAgentHome();
  const session = readSession(home);
  if (!session) throw new AgentError('not-logged-in', 'not logged in; run radgate login --server <url>');
  const server = parseServerUrl(session.server);
  const res = await httpsRequest({ url: new URL('/agent/whoami', server), method: 'GET', ca: pinnedTrust(home, server).ca, bearer: session.token });
  if (res.status === 401) throw new AgentError('not-logged-in', `the session at ${server.origin} has ended or expired; run radgate login again`);
  if (res.status !== 200) throw new AgentError('server-error', `the broker did not answer whoami (${describeFailure(res)})`);
  const b = (res.body ?? {}) as Record<string, unknown>;
  const u = b.user as Record<string, unknown> | undefined;
  const s = b.session as Record<string, unknown> | undefined;
  if (!u || typeof u.id !== 'string' || !s || typeof s.id !== 'string' || typeof s.state !== 'string' || (typeof s.expiresAt !== 'string' && typeof s.expiresAt !== 'number')) {
    throw new AgentError('protocol', 'the broker answered whoami with an unexpected body');
  }
  return {
    server: server.origin,
    user: { ...u, id: u.id, displayName: typeof u.displayName === 'string' ? u.displayName : null, kind: typeof u.kind === 'string' ? u.kind : 'unknown' },
    session: { id: s.id, expiresAt: s.expiresAt, state: s.state },
  };
}
