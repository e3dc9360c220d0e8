// The OIDC relying party as one object: its dependencies bound once, its verbs exposed.
import { beginLogin } from './beginLogin.js';
import { completeLogin, type CompleteLoginExpectations } from './completeLogin.js';
import { handleBackchannelLogout, type BackchannelLogoutResult } from './handleBackchannelLogout.js';
import { verifyLogoutToken } from './verifyLogoutToken.js';
import type { OidcLoginResult } from '../types.js';
import type { BeginLoginInput, BeginLoginResult, LogoutTokenClaims, OidcRpDeps } from './types.js';

export interface OidcRp {
  /** Configured IdPs for a sign-in chooser. */
  idps(): { name: string; displayName: string }[];
  beginLogin(input: BeginLoginInput): Promise<BeginLoginResult>;
  completeLogin(callbackUrl: string | URL, expect: CompleteLoginExpectations): Promise<OidcLoginResult>;
  verifyLogoutToken(idpName: string, token: string): Promise<LogoutTokenClaims>;
  handleBackchannelLogout(idpName: string, token: string): Promise<BackchannelLogoutResult>;
}

export function createOidcRp(deps: OidcRpDeps): OidcRp {
  new URL(deps.redirectUri); // fail at start-up, not at the first sign-in
  return {
    idps: () =>
      deps.clients.names().map((name) => {
        const c = deps.clients.get(name).config;
        return { name, displayName: c.displayName ?? name };
      }),
    beginLogin: (input) => beginLogin(deps, input),
    completeLogin: (url, expect) => completeLogin(deps, url, expect),
    verifyLogoutToken: (idp, token) => verifyLogoutToken(deps, idp, token),
    handleBackchannelLogout: (idp, token) => handleBackchannelLogout(deps, idp, token),
  };
}
