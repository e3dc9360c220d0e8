// First contact with a broker whose root the agent does not know yet: download
// /ca/root.pem WITHOUT verifying the TLS certificate. This is deliberate and contained:
// nothing is sent but the GET, and what comes back is trusted only once its SHA-256
// fingerprint matches --ca-fingerprint or the user confirms it.
import { X509Certificate } from 'node:crypto';
import { get } from 'node:https';
import { AgentError } from './AgentError.js';
import { parsePemCertificates } from './fingerprint.js';

const MAX_BYTES = 64 * 1024;

export function fetchRootForPinning(server: URL, timeoutMs = 15_000): Promise<{ pem: string; cert: X509Certificate }> {
  const url = new URL('/ca/root.pem', server);
  return new Promise((resolve, reject) => {
    const req = get(url, { rejectUnauthorized: false, minVersion: 'TLSv1.2', agent: false, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new AgentError('untrusted-server', `${url.href} answered HTTP ${res.statusCode}; pass the broker's root with --ca <file>`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) res.destroy(new AgentError('protocol', `${url.href} is larger than a root certificate`));
        else chunks.push(c);
      });
      res.on('error', (err) => reject(err instanceof AgentError ? err : new AgentError('network', `cannot read ${url.href}: ${err.message}`, { cause: err })));
      res.on('end', () => {
        try {
          const pem = Buffer.concat(chunks).toString('utf8');
          const certs = parsePemCertificates(pem, url.href);
          const cert = certs[0];
          if (certs.length !== 1 || !cert) throw new AgentError('protocol', `${url.href} must hold exactly one certificate`);
          // A trust anchor is a self-signed CA certificate.
          if (!cert.ca || !cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
            throw new AgentError('untrusted-server', `${url.href} is not a self-signed CA certificate`);
          }
          resolve({ pem: cert.toString(), cert });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new AgentError('network', `${server.origin} did not answer in time`)));
    req.on('error', (err) => reject(err instanceof AgentError ? err : new AgentError('network', `cannot reach ${server.origin}: ${err.message}`, { cause: err })));
  });
}
