// `radgate proxy --target <name> --listen 127.0.0.1:PORT`: a plain-HTTP loopback endpoint
// for local DICOMweb viewers and scripts. Each local connection is forwarded byte for byte
// over mTLS to the broker's DICOMweb gateway with this device's client certificate, which
// is renewed in the background while the login session lives; new connections use the
// newest certificate. The gateway decides every request itself; the proxy adds nothing.
// The loopback listener is reachable by every local process on this device, like any
// local forwarder: run it only on a single-user workstation.
import { readFileSync } from 'node:fs';
import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { expectStatus, openBrokerSession } from './brokerSession.js';
import type { CertificateRecord } from './certificateFiles.js';
import { ensureCertificate, keepCertificateFresh } from './ensureCertificate.js';

export interface ProxyOptions {
  home?: string;
  /** DICOMweb target name as the broker lists it. */
  target: string;
  listen: { host: string; port: number };
  /** Overrides what the broker advertises (`https://host:port`). */
  gatewayUrl?: string;
  print?: (line: string) => void;
  clock?: () => number;
  /** How often to check the certificate for renewal; default 60 s. */
  renewCheckMs?: number;
}

export interface RunningProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT<root>`: the DICOMweb base URL for viewers. */
  readonly url: string;
  readonly root: string;
  readonly certificate: CertificateRecord;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function openProxy(o: ProxyOptions): Promise<RunningProxy> {
  const home = o.home ?? resolveAgentHome();
  const clock = o.clock ?? Date.now;
  const print = o.print ?? (() => undefined);
  if (!LOOPBACK.has(o.listen.host)) throw new AgentError('protocol', `radgate proxy listens on loopback only (127.0.0.1, ::1 or localhost), got "${o.listen.host}"`);
  const broker = openBrokerSession(home, clock);
  const res = await broker.call('GET', '/api/v1/gateways');
  expectStatus(res, [200], 'the broker did not say where its DICOMweb gateway is');
  const http = (res.body as { http?: { url?: unknown; targets?: unknown } } | undefined)?.http;
  const targets = Array.isArray(http?.targets) ? (http.targets as { name?: unknown; root?: unknown }[]) : [];
  const target = targets.find((t) => t.name === o.target);
  if (!http || typeof http.url !== 'string') throw new AgentError('protocol', 'the broker runs no DICOMweb gateway');
  if (!target || typeof target.root !== 'string') {
    throw new AgentError('protocol', `no DICOMweb target "${o.target}" at this broker (it offers: ${targets.map((t) => String(t.name)).join(', ') || 'none'})`);
  }
  const gateway = new URL(o.gatewayUrl ?? http.url);
  const gwHost = gateway.hostname.replace(/^\[|\]$/g, '');
  const gwPort = Number(gateway.port || 443);

  const contextFor = (c: CertificateRecord): SecureContext => {
    const leaf = readFileSync(c.certFile, 'utf8');
    const chain = readFileSync(c.chainFile, 'utf8');
    return createSecureContext({ ca: broker.ca, cert: chain.includes(leaf.trim()) ? chain : leaf + chain, key: readFileSync(c.keyFile, 'utf8'), minVersion: 'TLSv1.2' });
  };
  let certificate = (await ensureCertificate({ home, clock })).certificate;
  let secureContext = contextFor(certificate);
  const stopRenewal = keepCertificateFresh({
    home,
    clock,
    intervalMs: o.renewCheckMs ?? 60_000,
    onRenewed: (c) => {
      certificate = c;
      secureContext = contextFor(c);
      print(`proxy ${o.target}: certificate renewed (serial ${c.serial}, until ${c.notAfter})`);
    },
    onError: (err) => print(`proxy ${o.target}: certificate renewal failed: ${(err as Error).message}`),
  });

  const sockets = new Set<Socket>();
  const onLocal = (local: Socket) => {
    local.setNoDelay(true);
    const remote: TLSSocket = connect({ host: gwHost, port: gwPort, ...(isIP(gwHost) ? {} : { servername: gwHost }), secureContext, minVersion: 'TLSv1.2' });
    remote.setNoDelay(true);
    sockets.add(local);
    sockets.add(remote);
    const drop = () => {
      local.destroy();
      remote.destroy();
    };
    local.on('error', drop);
    remote.on('error', (err) => {
      print(`proxy ${o.target}: ${err.message}`);
      drop();
    });
    local.once('close', () => {
      sockets.delete(local);
      remote.end();
    });
    remote.once('close', () => {
      sockets.delete(remote);
      local.end();
    });
    local.pipe(remote);
    remote.pipe(local);
  };
  const server: Server = createServer(onLocal);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new AgentError('network', `cannot listen on ${o.listen.host}:${o.listen.port}: ${err.message}`, { cause: err })));
      server.listen(o.listen.port, o.listen.host, () => resolve());
    });
  } catch (err) {
    stopRenewal();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host;
  return {
    port,
    root: target.root,
    url: `http://${host}:${port}${target.root}`,
    get certificate() {
      return certificate;
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopRenewal();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
