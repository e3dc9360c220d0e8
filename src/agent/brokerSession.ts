// An authenticated line to the broker for the post-login verbs: the stored session's
// bearer token over HTTPS pinned to the broker's root. 401 means log in again.
import { AgentError } from './AgentError.js';
import { describeFailure, httpsRequest, type HttpsResponse } from './httpsRequest.js';
import { parseServerUrl } from './serverUrl.js';
import { pinnedTrust } from './serverTrust.js';
import { readSession, type AgentSession } from './sessionFile.js';

export interface BrokerSession {
  session: AgentSession;
  server: URL;
  ca: string;
  call(method: 'GET' | 'POST', pathname: string, json?: Record<string, unknown>): Promise<HttpsResponse>;
}

export function openBrokerSession(home: string, clock: () => number = Date.now): BrokerSession {
  const session = readSession(home);
  if (!session) throw new AgentError('not-logged-in', 'not logged in; run radgate login --server <url>');
  if (Date.parse(session.expiresAt) <= clock()) throw new AgentError('not-logged-in', `the session at ${session.server} expired at ${session.expiresAt}; run radgate login again`);
  const server = parseServerUrl(session.server);
  const { ca } = pinnedTrust(home, server);
  return {
    session,
    server,
    ca,
    async call(method, pathname, json) {
      const res = await httpsRequest({ url: new URL(pathname, server), method, ca, bearer: session.token, ...(json ? { json } : {}) });
      if (res.status === 401) throw new AgentError('not-logged-in', `the session at ${server.origin} has ended or expired; run radgate login again`);
      return res;
    },
  };
}

/** Any non-2xx answer → an AgentError naming what was refused (problem+json detail included). */
export function expectStatus(res: HttpsResponse, ok: number[], what: string): void {
  if (ok.includes(res.status)) return;
  const code = res.status === 403 ? 'access-denied' : res.status >= 500 ? 'server-error' : 'protocol';
  const reason = (res.body as Record<string, unknown> | undefined)?.reason;
  throw new AgentError(code, `${what} (${describeFailure(res)}${typeof reason === 'string' ? `; reason ${reason}` : ''})`);
}
