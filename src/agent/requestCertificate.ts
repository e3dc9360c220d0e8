// `radgate cert`: a fresh P-256 key for every certificate, a CSR signed with it, and the
// issued certificate stored beside the key (0600). The private key never leaves the device.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { expectStatus, openBrokerSession } from './brokerSession.js';
import { buildCsr } from './buildCsr.js';
import { writeCertificate, type CertificateRecord } from './certificateFiles.js';
import { requireDevice } from './deviceFile.js';

export interface RequestCertificateOptions {
  home?: string;
  grantId?: string;
  clock?: () => number;
}

export async function requestCertificate(o: RequestCertificateOptions = {}): Promise<CertificateRecord> {
  const home = o.home ?? resolveAgentHome();
  const broker = openBrokerSession(home, o.clock);
  const device = requireDevice(home, broker.server.origin);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const csr = buildCsr({ privateKey, publicKey, commonName: 'radgate-agent' });
  const res = await broker.call('POST', '/certificates', { csr: csr.pem, deviceId: device.deviceId, ...(o.grantId ? { grantId: o.grantId } : {}) });
  expectStatus(res, [200, 201], 'the broker refused to issue a certificate');
  const b = (res.body ?? {}) as Record<string, unknown>;
  if (typeof b.serial !== 'string' || typeof b.certificatePem !== 'string' || typeof b.chainPem !== 'string') {
    throw new AgentError('protocol', 'the broker answered the certificate request with an unexpected body');
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(b.certificatePem);
  } catch (err) {
    throw new AgentError('protocol', 'the broker sent an unreadable certificate', { cause: err });
  }
  // The certificate must be for the key we just made; anything else is a broker bug or an attack.
  if (!cert.publicKey.equals(publicKey)) throw new AgentError('protocol', 'the issued certificate is not for the key this agent generated');
  if (cert.serialNumber.toUpperCase() !== b.serial.replace(/:/g, '').toUpperCase()) throw new AgentError('protocol', 'the broker reported a serial that is not the certificate\'s');
  return writeCertificate(
    home,
    { serial: cert.serialNumber.toUpperCase(), server: broker.server.origin, deviceId: device.deviceId, notBefore: new Date(cert.validFrom).toISOString(), notAfter: new Date(cert.validTo).toISOString() },
    { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: cert.toString(), chain: b.chainPem },
  );
}
