// The development IdP signs anyone in with one click, so it may only ever be reachable
// from this machine: its issuer host must be a loopback name or address.
import { RadgateError } from '../../errors/index.js';
import { isLoopbackHost } from '../oidc/index.js';

export function assertLoopbackIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new RadgateError('config-invalid', `dev IdP: issuer "${issuer}" is not a URL`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new RadgateError(
      'config-invalid',
      `dev IdP: refusing to run with the non-loopback issuer host "${url.hostname}"; the development IdP is for this machine only`,
    );
  }
  return url;
}
