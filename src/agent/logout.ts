// `radgate logout`: end the agent session at the broker, then forget the token. When the
// broker cannot be reached the token is kept (it would stay valid) unless forget is set.
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { describeFailure, httpsRequest } from './httpsRequest.js';
import { parseServerUrl } from './serverUrl.js';
import { pinnedTrust } from './serverTrust.js';
import { readSession, removeSession } from './sessionFile.js';

export interface LogoutOptions {
  home?: string;
  /** Delete the local token even when the broker could not end the session. */
  forget?: boolean;
}

export interface LogoutResult {
  /** The broker ended the session now (false: it had already ended, or was unreachable with forget). */
  endedAtServer: boolean;
  server: string;
}

export async function logout(o: LogoutOptions = {}): Promise<LogoutResult> {
  const home = o.home ?? resolveAgentHome();
  const session = readSession(home);
  if (!session) throw new AgentError('not-logged-in', 'not logged in');
  const server = parseServerUrl(session.server);
  try {
    const res = await httpsRequest({ url: new URL('/agent/logout', server), method: 'POST', ca: pinnedTrust(home, server).ca, bearer: session.token });
    if (res.status === 401) {
      removeSession(home);
      return { endedAtServer: false, server: server.origin };
    }
    if (res.status < 200 || res.status >= 300) throw new AgentError('server-error', `the broker did not end the session (${describeFailure(res)})`);
  } catch (err) {
    if (o.forget) {
      removeSession(home);
      return { endedAtServer: false, server: server.origin };
    }
    if (err instanceof AgentError) {
      throw new AgentError(err.code, `${err.message}. The token is kept so you can retry; \`radgate logout --forget\` deletes it anyway (it stays valid at the broker until it expires)`, { cause: err });
    }
    throw err;
  }
  removeSession(home);
  return { endedAtServer: true, server: server.origin };
}
