// Delivers spooled ATNA syslog messages to a collector over TLS (RFC 5425): TLS 1.2+, the
// collector's certificate verified against the configured CA and name, an optional client
// certificate, octet-counted frames (RFC 6587 §3.4.1).
//
// Syslog over TLS has no acknowledgements, so "delivered" is inferred: records written on
// a connection that then stayed healthy for `settleMs` are acknowledged in the spool; when
// the connection fails, everything not yet acknowledged is sent again on the next one, in
// order. Delivery is therefore at least once; the seq in each message marks duplicates.
// A graceful stop half-closes and waits for the collector's own close, which proves it read
// everything sent.
import { checkServerIdentity, connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { Spool, SpoolPosition } from './openSpool.js';

export interface SyslogSenderOptions {
  host: string;
  port: number;
  /** PEM of the CA(s) that sign the collector's certificate. */
  ca: string | Buffer;
  /** Name the collector's certificate must carry (default: host). */
  servername?: string;
  /** Client certificate and key (PEM), when the collector asks for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  spool: Spool;
  settleMs?: number;
  /** Reconnect back-off bounds. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  batch?: number;
  connectTimeoutMs?: number;
  /** Told once per failure episode (not per retry), and when delivery recovers. */
  onProblem?: (p: SenderProblem) => void;
  onRecovered?: () => void;
  /** Told of every record batch handed to TLS (metrics). */
  onSent?: (records: number, bytes: number) => void;
}

export interface SenderProblem {
  kind: 'collector-untrusted' | 'collector-unreachable' | 'collector-closed';
  code: string;
  message: string;
}

export interface SyslogSender {
  /** Wakes the sender (new records were spooled). */
  notify(): void;
  /** Stops after a graceful close of the connection (acknowledging what the collector read). */
  close(): Promise<void>;
  stats(): { connected: boolean; sent: number; acked: number; reconnects: number; lastProblem?: SenderProblem };
}

interface InFlight {
  end: SpoolPosition;
  seq: number;
  count: number;
  at: number;
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|SIGNATURE|EXPIRED|ISSUER/;

export function createSyslogSender(o: SyslogSenderOptions): SyslogSender {
  const settleMs = o.settleMs ?? 1000;
  const minBackoff = o.minBackoffMs ?? 250;
  const maxBackoff = o.maxBackoffMs ?? 10_000;
  const batch = o.batch ?? 512;
  let socket: TLSSocket | undefined;
  let dead = false;
  let running = true;
  let backoff = minBackoff;
  let inflight: InFlight[] = [];
  let failing: SenderProblem | undefined;
  let wake: (() => void) | undefined;
  const st = { connected: false, sent: 0, acked: 0, reconnects: 0, lastProblem: undefined as SenderProblem | undefined };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const problem = (p: SenderProblem) => {
    st.lastProblem = p;
    if (failing?.kind === p.kind && failing.code === p.code) return;
    failing = p;
    o.onProblem?.(p);
  };

  const open = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const opts: ConnectionOptions = {
        host: o.host,
        port: o.port,
        ca: o.ca,
        servername: o.servername ?? o.host,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
      };
      // An IP address is not a valid SNI name; the certificate is still checked against it.
      if (/^[0-9.]+$|:/.test(opts.servername ?? '')) {
        const name = opts.servername!;
        delete opts.servername;
        opts.checkServerIdentity = (_host, cert) => checkServerIdentity(name, cert);
      }
      const s = connect(opts);
      const timer = setTimeout(() => s.destroy(Object.assign(new Error('TLS connect timed out'), { code: 'ETIMEDOUT' })), o.connectTimeoutMs ?? 10_000);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });

  const markDead = () => {
    dead = true;
    st.connected = false;
    wake?.();
  };

  const settle = async (all = false) => {
    const now = Date.now();
    let last: InFlight | undefined;
    let n = 0;
    while (inflight.length > 0 && (all || now - inflight[0]!.at >= settleMs)) {
      last = inflight.shift()!;
      n += last.count;
    }
    if (last) {
      await o.spool.ack(last.end, last.seq);
      st.acked += n;
    }
  };

  const pump = async () => {
    while (running) {
      if (!socket || dead) {
        if (socket) {
          socket.destroy();
          socket = undefined;
          inflight = [];
          o.spool.rewind();
          if (running) problem({ kind: 'collector-closed', code: 'closed', message: 'the collector closed the connection; unacknowledged records will be sent again' });
        }
        if (o.spool.depth() === 0) {
          await sleep(200);
          continue;
        }
        try {
          const s = await open();
          socket = s;
          dead = false;
          st.connected = true;
          st.reconnects++;
          backoff = minBackoff;
          s.on('error', markDead);
          s.on('end', markDead);
          s.on('close', markDead);
          if (failing) {
            failing = undefined;
            o.onRecovered?.();
          }
        } catch (err) {
          const code = String((err as { code?: unknown }).code ?? 'error');
          problem({
            kind: CERT_CODES.test(code) ? 'collector-untrusted' : 'collector-unreachable',
            code,
            message: `ATNA collector ${o.host}:${o.port}: ${(err as Error).message}`,
          });
          await sleep(backoff);
          backoff = Math.min(maxBackoff, backoff * 2);
          continue;
        }
      }
      await settle();
      const records = await o.spool.read(batch);
      if (records.length === 0) {
        await sleep(inflight.length > 0 ? Math.min(settleMs, 200) : 200);
        continue;
      }
      const frames: Buffer[] = [];
      let bytes = 0;
      for (const r of records) {
        const head = Buffer.from(`${r.payload.length} `, 'ascii');
        frames.push(head, r.payload);
        bytes += head.length + r.payload.length;
      }
      const s = socket!;
      const ok = await new Promise<boolean>((resolve) => {
        if (dead) return resolve(false);
        s.write(Buffer.concat(frames, bytes), (err) => resolve(!err && !dead));
      });
      if (!ok) continue;
      const last = records[records.length - 1]!;
      inflight.push({ end: last.end, seq: last.seq, count: records.length, at: Date.now() });
      st.sent += records.length;
      o.onSent?.(records.length, bytes);
    }
  };

  const done = pump().catch((err: unknown) => problem({ kind: 'collector-unreachable', code: 'internal', message: (err as Error).message }));

  return {
    notify: () => wake?.(),
    stats: () => ({ ...st }),
    async close() {
      running = false;
      wake?.();
      await done;
      const s = socket;
      if (s && !dead) {
        // Half-close and wait for the collector's close: it has then read all we sent.
        const peerClosed = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), 2000);
          s.once('end', () => {
            clearTimeout(t);
            resolve(true);
          });
          s.once('close', () => {
            clearTimeout(t);
            resolve(true);
          });
          s.end();
        });
        if (peerClosed) await settle(true);
        s.destroy();
      } else {
        s?.destroy();
      }
      socket = undefined;
    },
  };
}
