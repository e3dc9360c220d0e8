// The agent's login state, session.json (0600): which broker, the bearer token and what
// the broker said about the session. Nothing else on the machine should read it.
import path from 'node:path';
import { AgentError } from './AgentError.js';
import { ensureAgentHome } from './agentHome.js';
import { readPrivateFile, removeFile, writePrivateFile } from './privateFile.js';

export const SESSION_FILE = 'session.json';

export interface AgentSessionUser {
  id: string;
  displayName: string | null;
  kind: string;
}

export interface AgentSession {
  /** Broker origin, https://host:port. */
  server: string;
  token: string;
  sessionId: string;
  /** ISO 8601. */
  expiresAt: string;
  user: AgentSessionUser;
}

export function sessionFilePath(home: string): string {
  return path.join(home, SESSION_FILE);
}

export function writeSession(home: string, session: AgentSession): void {
  ensureAgentHome(home);
  writePrivateFile(sessionFilePath(home), `${JSON.stringify(session, null, 2)}\n`);
}

/** Undefined when not logged in; throws when the file is readable by others or malformed. */
export function readSession(home: string): AgentSession | undefined {
  const file = sessionFilePath(home);
  const text = readPrivateFile(file, 0o077);
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AgentError('bad-file', `${file} is not valid JSON; run radgate login again`);
  }
  if (!isAgentSession(v)) throw new AgentError('bad-file', `${file} does not hold a radgate session; run radgate login again`);
  return v;
}

export function removeSession(home: string): boolean {
  return removeFile(sessionFilePath(home));
}

function isAgentSession(v: unknown): v is AgentSession {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  const u = s.user as Record<string, unknown> | null | undefined;
  return (
    typeof s.server === 'string' &&
    typeof s.token === 'string' &&
    s.token.length > 0 &&
    typeof s.sessionId === 'string' &&
    typeof s.expiresAt === 'string' &&
    u !== null &&
    typeof u === 'object' &&
    typeof u.id === 'string' &&
    (u.displayName === null || typeof u.displayName === 'string') &&
    typeof u.kind === 'string'
  );
}
