// Where the agent keeps its state: $RADGATE_AGENT_HOME, else $XDG_CONFIG_HOME/radgate,
// else ~/.config/radgate; a directory only its owner can enter (0700).
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { AgentError } from './AgentError.js';

export function resolveAgentHome(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.RADGATE_AGENT_HOME) return path.resolve(env.RADGATE_AGENT_HOME);
  if (env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)) return path.join(env.XDG_CONFIG_HOME, 'radgate');
  return path.join(home, '.config', 'radgate');
}

/** Creates the directory 0700, or tightens one we own; refuses one owned by someone else. */
export function ensureAgentHome(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (!st.isDirectory()) throw new AgentError('insecure-file', `${dir} is not a directory`);
  if (process.platform === 'win32') return dir;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new AgentError('insecure-file', `${dir} belongs to another user; set RADGATE_AGENT_HOME to a directory of your own`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}
