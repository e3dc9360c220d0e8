// File layout of the CA directory.
import path from 'node:path';

export interface CaPaths {
  dir: string;
  rootCert: string;
  rootKey: string;
  intermediateCert: string;
  intermediateKey: string;
  serverCert: string;
  serverKey: string;
  crl: string;
}

export function caPaths(dir: string): CaPaths {
  const at = (f: string) => path.join(dir, f);
  return {
    dir,
    rootCert: at('root.crt'),
    rootKey: at('root.key'),
    intermediateCert: at('intermediate.crt'),
    intermediateKey: at('intermediate.key'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    crl: at('crl.der'),
  };
}
