// Starts an authorization-code flow: PKCE (S256), state and nonce, stored single-use.
import * as client from 'openid-client';
import { hashHandle } from './hashHandle.js';
import { encodeTransaction, MAX_TRANSACTION_TTL_SECONDS, OIDC_LOGIN_PURPOSE } from './oidcTransaction.js';
import { safeReturnTo } from './safeReturnTo.js';
import type { BeginLoginInput, BeginLoginResult, OidcRpDeps } from './types.js';

export async function beginLogin(deps: OidcRpDeps, input: BeginLoginInput): Promise<BeginLoginResult> {
  const idp = deps.clients.get(input.idp);
  const config = await idp.configuration();
  const now = (deps.now ?? Date.now)();
  const ttl = Math.min(deps.transactionTtlSeconds ?? MAX_TRANSACTION_TTL_SECONDS, MAX_TRANSACTION_TTL_SECONDS);

  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const expiresAt = now + ttl * 1000;

  await deps.store.challenges.put({
    idHash: hashHandle(state),
    purpose: OIDC_LOGIN_PURPOSE,
    sessionId: null,
    userId: null,
    payload: encodeTransaction({
      idp: idp.config.name,
      codeVerifier,
      nonce,
      returnTo: safeReturnTo(input.returnTo),
      agentRequest: input.agentRequest ?? null,
    }),
    createdAt: now,
    expiresAt,
  });

  const scopes = new Set(['openid', ...idp.config.scopes]);
  const params: Record<string, string> = {
    response_type: 'code',
    redirect_uri: deps.redirectUri,
    scope: [...scopes].join(' '),
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  };
  if (input.loginHint) params.login_hint = input.loginHint;
  if (input.prompt) params.prompt = input.prompt;
  return { url: client.buildAuthorizationUrl(config, params).href, state, expiresAt };
}
