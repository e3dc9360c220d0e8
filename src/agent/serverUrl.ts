// The broker's address as the user typed it → an https origin. Plain http is refused:
// the token and codes must never cross the network in the clear.
import { AgentError } from './AgentError.js';

export function parseServerUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`);
  } catch {
    throw new AgentError('bad-server-url', `--server ${JSON.stringify(input)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new AgentError('bad-server-url', `--server must be an https URL, got ${url.protocol}`);
  if (url.username || url.password) throw new AgentError('bad-server-url', '--server must not contain a user name or password');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new AgentError('bad-server-url', '--server is the broker origin only, e.g. https://radgate.hospital.example:8443');
  }
  return new URL(url.origin);
}
