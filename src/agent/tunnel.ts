// `radgate tunnel T --listen 127.0.0.1:2222`: a local listener on the vendor's machine.
// Each local connection opens an mTLS connection to the tunnel gateway with a client
// certificate bound to the grant (so it expires with it), names the target in the
// preface, waits for the gateway's answer and then pipes bytes both ways. The listener
// stops when the grant ends. Wire format: src/gateway/tunnel/README.md (repeated here
// because the agent imports nothing server-side).
import { readFileSync } from 'node:fs';
import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect, createSecureContext, type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import { listGrants, tunnelGatewayInfo } from './accessApi.js';
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { openBrokerSession } from './brokerSession.js';
import type { CertificateRecord } from './certificateFiles.js';
import { requestCertificate } from './requestCertificate.js';

export const TUNNEL_ALPN = 'radgate-tunnel/1';
const MAGIC = Buffer.from('RGT1', 'ascii');
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function tunnelPreface(target: string): Buffer {
  if (!NAME.test(target)) throw new AgentError('protocol', `"${target}" is not a target name ([a-z0-9._-], at most 64)`);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(target.length);
  return Buffer.concat([MAGIC, len, Buffer.from(target, 'ascii')]);
}

export type ReplyResult = { status: 'need-more' } | { status: 'bad' } | { status: 'done'; open: boolean; reason: string; rest: Buffer };

/** The gateway's answer: "RGT1" | u8 status (0 open) | u8 length | reason. */
export function parseReply(buf: Buffer): ReplyResult {
  const head = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, head).equals(MAGIC.subarray(0, head))) return { status: 'bad' };
  if (buf.length < MAGIC.length + 2) return { status: 'need-more' };
  const status = buf[MAGIC.length]!;
  const len = buf[MAGIC.length + 1]!;
  if (status > 1) return { status: 'bad' };
  if (buf.length < MAGIC.length + 2 + len) return { status: 'need-more' };
  return { status: 'done', open: status === 0, reason: buf.subarray(MAGIC.length + 2, MAGIC.length + 2 + len).toString('ascii'), rest: buf.subarray(MAGIC.length + 2 + len) };
}

export interface TunnelOptions {
  home?: string;
  target: string;
  listen: { host: string; port: number };
  /** Overrides what the broker advertises. */
  gateway?: { host: string; port: number };
  /** One line per event (connections, refusals, the end of the grant). */
  print?: (line: string) => void;
  clock?: () => number;
}

export interface RunningTunnel {
  /** The local port (useful with --listen ...:0). */
  readonly port: number;
  readonly grantId: string;
  readonly endsAt: string;
  readonly certificate: CertificateRecord;
  /** Resolves with why the listener stopped ("grant-ended", "closed"). */
  readonly done: Promise<string>;
  close(): Promise<void>;
}

export async function openTunnel(o: TunnelOptions): Promise<RunningTunnel> {
  const home = o.home ?? resolveAgentHome();
  const clock = o.clock ?? Date.now;
  const print = o.print ?? (() => undefined);
  const broker = openBrokerSession(home, clock);
  tunnelPreface(o.target);
  const grants = await listGrants({ state: 'active' }, { home, clock });
  const grant = grants.find((g) => g.target === o.target && g.live === true);
  if (!grant || typeof grant.id !== 'string' || typeof grant.endAt !== 'string') {
    throw new AgentError('access-denied', `no active grant for ${o.target}; ask for one with radgate request --target ${o.target} --duration 2h --reason "…" and wait for approval`);
  }
  const gateway = o.gateway ?? (await tunnelGatewayInfo({ home, clock }));
  // A certificate for this grant: the broker caps its lifetime at the grant's end (and at
  // the role maximum, so a long grant needs renewals while the tunnel runs).
  let certificate = await requestCertificate({ home, grantId: grant.id, clock });
  // One secure context for every connection (building one parses the key and chains: ms each).
  let secureContext = contextFor(certificate, broker.ca);
  // TLS session resumption: later connections skip the full handshake (the gateway still
  // checks the certificate's revocation, user, session, device and grant on each one).
  let tlsSession: Buffer | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  const scheduleRenewal = (delayMs?: number) => {
    const start = Date.parse(certificate.notBefore);
    const end = Date.parse(certificate.notAfter);
    // Renew with a third of the lifetime left, unless the grant ends first.
    if (end >= Date.parse(String(grant.endAt))) return;
    const due = delayMs ?? Math.max(1000, end - (end - start) / 3 - clock());
    renewTimer = setTimeout(() => {
      requestCertificate({ home, grantId: String(grant.id), clock }).then(
        (next) => {
          certificate = next;
          secureContext = contextFor(next, broker.ca);
          tlsSession = undefined;
          print(`tunnel ${o.target}: renewed the certificate (${next.serial}, until ${next.notAfter})`);
          scheduleRenewal();
        },
        (err: unknown) => {
          print(`tunnel ${o.target}: certificate renewal failed (${(err as Error).message}); retrying in a minute`);
          scheduleRenewal(60_000);
        },
      );
    }, Math.min(2 ** 31 - 1, due));
    renewTimer.unref();
  };
  scheduleRenewal();
  const sockets = new Set<Socket>();

  const onLocal = (local: Socket) => {
    sockets.add(local);
    local.pause();
    local.setNoDelay(true);
    // allowHalfOpen is a documented tls.connect option missing from @types/node's ConnectionOptions.
    const remote: TLSSocket = connect({
      host: gateway.host,
      port: gateway.port,
      ...(isIP(gateway.host) ? {} : { servername: gateway.host }),
      secureContext,
      ALPNProtocols: [TUNNEL_ALPN],
      minVersion: 'TLSv1.2',
      ...(tlsSession ? { session: tlsSession } : {}),
      ...({ allowHalfOpen: true } as ConnectionOptions),
    });
    remote.on('session', (session: Buffer) => void (tlsSession = session));
    sockets.add(remote);
    remote.setNoDelay(true);
    const drop = () => {
      local.destroy();
      remote.destroy();
      sockets.delete(local);
      sockets.delete(remote);
    };
    // Half-close passes through (the pipes end the other side); a socket is destroyed only
    // on error, on refusal, or when it lingers after its peer closed.
    const onClose = (self: Socket, other: Socket) => (hadError: boolean) => {
      sockets.delete(self);
      if (hadError) other.destroy();
      else setTimeout(() => other.destroy(), 30_000).unref();
    };
    local.on('error', () => undefined);
    local.once('close', onClose(local, remote));
    remote.once('close', onClose(remote, local));
    remote.on('error', (err) => {
      print(`tunnel ${o.target}: ${err.message}`);
      drop();
    });
    remote.once('secureConnect', () => remote.write(tunnelPreface(o.target)));
    let buf = Buffer.alloc(0);
    const onReply = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const r = parseReply(buf);
      if (r.status === 'need-more' && buf.length < 300) return;
      remote.off('data', onReply);
      if (r.status !== 'done') {
        print(`tunnel ${o.target}: the gateway answered in an unexpected form`);
        return drop();
      }
      if (!r.open) {
        print(`tunnel ${o.target}: refused by the gateway (${r.reason})`);
        return drop();
      }
      if (r.rest.length > 0) local.write(r.rest);
      local.pipe(remote);
      remote.pipe(local);
      local.resume();
    };
    remote.on('data', onReply);
  };

  const server: Server = createServer({ allowHalfOpen: true }, onLocal);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new AgentError('network', `cannot listen on ${o.listen.host}:${o.listen.port}: ${err.message}`, { cause: err })));
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  let resolveDone!: (why: string) => void;
  const done = new Promise<string>((r) => (resolveDone = r));
  const stop = (why: string) =>
    new Promise<void>((resolve) => {
      clearTimeout(timer);
      clearTimeout(renewTimer);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
      resolveDone(why);
    });
  const timer = setTimeout(() => {
    print(`tunnel ${o.target}: the grant ended at ${String(grant.endAt)}; closing`);
    void stop('grant-ended');
  }, Math.min(2 ** 31 - 1, Math.max(0, Date.parse(grant.endAt) - clock())));
  timer.unref();
  return {
    port: (server.address() as AddressInfo).port,
    grantId: grant.id,
    endsAt: grant.endAt,
    get certificate() {
      return certificate;
    },
    done,
    close: () => stop('closed'),
  };
}

function contextFor(c: CertificateRecord, ca: string): SecureContext {
  const key = readFileSync(c.keyFile, 'utf8');
  const leaf = readFileSync(c.certFile, 'utf8');
  const chainPem = readFileSync(c.chainFile, 'utf8');
  return createSecureContext({ ca, cert: chainPem.includes(leaf.trim()) ? chainPem : leaf + chainPem, key, minVersion: 'TLSv1.2' });
}

/** "127.0.0.1:2222", "localhost:2222" or "[::1]:2222". */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || !(port >= 0 && port <= 65535)) throw new AgentError('protocol', `--listen expects host:port, got "${text}"`);
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}
