import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { readSession, removeSession, sessionFilePath, writeSession, type AgentSession } from './sessionFile.js';

const SESSION: AgentSession = {
  server: 'https://radgate.example:8443',
  token: 'secret-token',
  sessionId: 'agent-1',
  expiresAt: '2026-01-01T12:00:00.000Z',
  user: { id: 'alice', displayName: 'Alice', kind: 'workforce' },
};

describe('agent session file', () => {
  let root: string;
  let home: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'radgate-agent-'));
    home = path.join(root, 'config', 'radgate');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes session.json with mode 0600 in a 0700 directory, and reads it back', () => {
    writeSession(home, SESSION);
    expect(statSync(sessionFilePath(home)).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readSession(home)).toEqual(SESSION);
  });

  it('keeps mode 0600 under a permissive umask and when overwriting', () => {
    const old = process.umask(0o000);
    try {
      writeSession(home, SESSION);
      writeSession(home, { ...SESSION, token: 'second' });
    } finally {
      process.umask(old);
    }
    expect(statSync(sessionFilePath(home)).mode & 0o777).toBe(0o600);
    expect(readSession(home)?.token).toBe('second');
  });

  it('refuses to read a token file readable by group or others (0644)', () => {
    writeSession(home, SESSION);
    chmodSync(sessionFilePath(home), 0o644);
    expect(() => readSession(home)).toThrow(AgentError);
    expect(() => readSession(home)).toThrow(/mode 0644/);
    chmodSync(sessionFilePath(home), 0o640);
    expect(() => readSession(home)).toThrow(/mode 0640/);
  });

  it('refuses a token file that is a symbolic link', () => {
    writeSession(home, SESSION);
    const elsewhere = path.join(root, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify(SESSION), { mode: 0o600 });
    rmSync(sessionFilePath(home));
    symlinkSync(elsewhere, sessionFilePath(home));
    expect(() => readSession(home)).toThrow(/symbolic link/);
  });

  it('tightens an existing agent directory that others could enter', () => {
    writeSession(home, SESSION);
    chmodSync(home, 0o755);
    writeSession(home, SESSION);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('reads nothing when logged out, and refuses a malformed file', () => {
    expect(readSession(home)).toBeUndefined();
    writeSession(home, SESSION);
    expect(removeSession(home)).toBe(true);
    expect(removeSession(home)).toBe(false);
    writeFileSync(sessionFilePath(home), '{"token":1}', { mode: 0o600 });
    expect(() => readSession(home)).toThrow(/does not hold a radgate session/);
  });

  it('finds its home in RADGATE_AGENT_HOME, then XDG_CONFIG_HOME, then ~/.config/radgate', () => {
    expect(resolveAgentHome({ RADGATE_AGENT_HOME: '/x/agent', XDG_CONFIG_HOME: '/xdg' }, '/home/u')).toBe('/x/agent');
    expect(resolveAgentHome({ XDG_CONFIG_HOME: '/xdg' }, '/home/u')).toBe('/xdg/radgate');
    expect(resolveAgentHome({}, '/home/u')).toBe('/home/u/.config/radgate');
  });
});
