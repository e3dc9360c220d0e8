import { describe, expect, it } from 'vitest';
import { assertLoopbackIssuer } from './assertLoopbackIssuer.js';

describe('assertLoopbackIssuer', () => {
  it.each(['http://127.0.0.1:9000', 'https://localhost:8443/dev-idp', 'http://[::1]:80/x', 'https://radgate.localhost/dev-idp', 'http://127.1.2.3'])(
    'accepts the loopback issuer %s',
    (issuer) => {
      expect(assertLoopbackIssuer(issuer).href).toContain(new URL(issuer).host);
    },
  );

  it.each(['https://radgate.hospital.example/dev-idp', 'http://0.0.0.0:8443', 'http://10.0.0.5', 'http://localhost.evil.example', 'http://[::ffff:10.0.0.1]', 'not a url'])(
    'refuses %s',
    (issuer) => {
      expect(() => assertLoopbackIssuer(issuer)).toThrow(expect.objectContaining({ code: 'config-invalid' }) as Error);
    },
  );
});
