// `radgate login` on a device with a browser (RFC 8252): listen on 127.0.0.1, send the
// browser to /agent/authorize with PKCE S256 and a random state, take the code from the
// redirect, redeem it at /agent/token and store the session 0600.
import { randomBytes } from 'node:crypto';
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { startLoopbackCallback } from './loopbackCallback.js';
import type { OpenBrowser } from './openBrowser.js';
import { createPkce } from './pkce.js';
import { requestToken } from './requestToken.js';
import { parseServerUrl } from './serverUrl.js';
import { resolveTrust, type TrustOptions } from './serverTrust.js';
import { writeSession, type AgentSession } from './sessionFile.js';

export const LOOPBACK_TIMEOUT_MS = 5 * 60_000;

export interface LoopbackLoginOptions extends TrustOptions {
  server: string;
  /** Tries to open the URL; false or absent means the user opens the printed URL. */
  openBrowser?: OpenBrowser;
  /** Lines for the user (stderr in the CLI). */
  print?: (line: string) => void;
  home?: string;
  timeoutMs?: number;
}

export async function loginLoopback(o: LoopbackLoginOptions): Promise<AgentSession> {
  const print = o.print ?? (() => undefined);
  const home = o.home ?? resolveAgentHome();
  const server = parseServerUrl(o.server);
  const trust = await resolveTrust(home, server, o);
  const pkce = createPkce();
  const state = randomBytes(32).toString('base64url');
  const callback = await startLoopbackCallback({ state, timeoutMs: o.timeoutMs ?? LOOPBACK_TIMEOUT_MS });
  try {
    const authorize = new URL('/agent/authorize', server);
    authorize.searchParams.set('redirect_uri', callback.redirectUri);
    authorize.searchParams.set('state', state);
    authorize.searchParams.set('code_challenge', pkce.challenge);
    authorize.searchParams.set('code_challenge_method', pkce.method);

    const open = o.openBrowser;
    const opened = open ? await Promise.resolve().then(() => open(authorize.href)).catch(() => false) : false;
    print(opened ? 'Your browser is opening to sign in to radgate. If it did not, open:' : 'Open this URL in a browser on this device to sign in to radgate:');
    print(`  ${authorize.href}`);
    print('Waiting for the sign-in (5 minutes)…');

    const code = await callback.code;
    const result = await requestToken(server, trust.ca, {
      grant_type: 'authorization_code',
      code,
      code_verifier: pkce.verifier,
      redirect_uri: callback.redirectUri,
    });
    if (!result.ok) throw new AgentError(result.error === 'access_denied' ? 'access-denied' : 'protocol', `the broker refused the sign-in: ${result.description}`);
    trust.pin();
    writeSession(home, result.session);
    await callback.finish({ ok: true, message: `Signed in to radgate as ${result.session.user.displayName ?? result.session.user.id}. You can close this tab.` });
    return result.session;
  } catch (err) {
    await callback.finish({ ok: false, message: 'The sign-in did not complete. Return to your terminal for details. You can close this tab.' });
    throw err;
  }
}
