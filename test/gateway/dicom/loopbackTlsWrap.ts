// The agent's side of DICOM for tools without TLS (dcmtk 3.6.7 getscu and movescu have no
// +tls): a plain listener on loopback that wraps each connection in mTLS to the gateway
// with the caller's certificate, bytes piped unchanged both ways.
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect } from 'node:tls';

export interface LoopbackTlsWrap {
  port: number;
  close(): Promise<void>;
}

export async function loopbackTlsWrap(gatewayPort: number, tls: { keyFile: string; certFile: string; caFile: string }): Promise<LoopbackTlsWrap> {
  const key = readFileSync(tls.keyFile);
  const cert = readFileSync(tls.certFile);
  const ca = readFileSync(tls.caFile);
  const open = new Set<Socket>();
  const server: Server = createServer((local) => {
    const remote = connect({ host: '127.0.0.1', port: gatewayPort, servername: 'localhost', key, cert, ca });
    open.add(local);
    open.add(remote);
    local.setNoDelay(true);
    remote.setNoDelay(true);
    const end = () => {
      local.destroy();
      remote.destroy();
      open.delete(local);
      open.delete(remote);
    };
    local.on('error', end).on('close', end);
    remote.on('error', end).on('close', end);
    local.pipe(remote);
    remote.pipe(local);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
