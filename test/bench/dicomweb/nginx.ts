// Debian nginx as the baseline TLS reverse proxy for the dicomweb bench: a throw-away
// config in a temp prefix, the same server certificate and client-certificate trust as the
// radgate gateway, TLS 1.2+ with the BCP 195 suites, proxy_pass to the same upstream over
// a keep-alive pool.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { BCP195_TLS12_CIPHERS } from '../../../src/http/index.js';

export const NGINX = process.env.RADGATE_BENCH_NGINX ?? '/usr/sbin/nginx';

export interface NginxOptions {
  dir: string;
  port: number;
  upstreamPort: number;
  cert: string;
  key: string;
  clientCa: string;
  authorization: string;
  /** `off` streams each read straight on (the brief's fair streaming comparison); `on` is nginx's default mode. */
  buffering: 'off' | 'on';
}

export interface RunningNginx {
  pid: number;
  port: number;
  /** Master and worker pids (for CPU accounting). */
  pids(): number[];
  settings: string;
  stop(): Promise<void>;
}

export function nginxSettings(o: Pick<NginxOptions, 'buffering'>): string {
  return [
    'worker_processes 1',
    'ssl_protocols TLSv1.2 TLSv1.3',
    'BCP 195 TLS 1.2 suites',
    'ssl_verify_client on',
    'upstream keepalive 64',
    'proxy_http_version 1.1',
    o.buffering === 'off' ? 'proxy_buffering off, proxy_buffer_size 64k' : 'proxy_buffering on, proxy_buffers 8 64k, no temp file',
    'access_log off',
  ].join('; ');
}

export function nginxConfig(o: NginxOptions): string {
  const f = (name: string) => path.join(o.dir, name);
  const buffering =
    o.buffering === 'off'
      ? ['proxy_buffering off;', 'proxy_buffer_size 64k;', 'proxy_buffers 8 64k;']
      : ['proxy_buffering on;', 'proxy_buffer_size 64k;', 'proxy_buffers 8 64k;', 'proxy_busy_buffers_size 128k;', 'proxy_max_temp_file_size 0;'];
  return `# radgate dicomweb bench: nginx baseline (generated)
worker_processes 1;
error_log ${f('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${f('client_body')};
  proxy_temp_path ${f('proxy_temp')};
  fastcgi_temp_path ${f('fastcgi_temp')};
  uwsgi_temp_path ${f('uwsgi_temp')};
  scgi_temp_path ${f('scgi_temp')};
  upstream pacs {
    server 127.0.0.1:${o.upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${o.port} ssl;
    server_name localhost;
    ssl_certificate ${f('server.crt')};
    ssl_certificate_key ${f('server.key')};
    ssl_client_certificate ${f('client-ca.pem')};
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ${BCP195_TLS12_CIPHERS};
    ssl_prefer_server_ciphers on;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    location /dicom-web/ {
      proxy_pass http://pacs;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:${o.upstreamPort};
      proxy_set_header Authorization "${o.authorization}";
      proxy_set_header Cookie "";
      ${buffering.join('\n      ')}
      proxy_read_timeout 30s;
    }
  }
}
`;
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts nginx in the foreground; fails with a clear message when it is not installed. */
export async function startNginx(o: NginxOptions): Promise<RunningNginx> {
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: the dicomweb bench needs it as the baseline proxy (Debian: apt-get install nginx, or set RADGATE_BENCH_NGINX)`);
  mkdirSync(o.dir, { recursive: true });
  writeFileSync(path.join(o.dir, 'server.crt'), o.cert, { mode: 0o600 });
  writeFileSync(path.join(o.dir, 'server.key'), o.key, { mode: 0o600 });
  writeFileSync(path.join(o.dir, 'client-ca.pem'), o.clientCa, { mode: 0o600 });
  const conf = path.join(o.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(o));
  const child: ChildProcess = spawn(NGINX, ['-c', conf, '-p', o.dir, '-e', path.join(o.dir, 'error.log'), '-g', `daemon off; pid ${path.join(o.dir, 'nginx.pid')};`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${stderr.trim() || readLog(o.dir)}`))));
  exited.catch(() => undefined);
  await Promise.race([waitForPort(o.port, Date.now() + 10_000), exited]);
  const pid = child.pid!;
  return {
    pid,
    port: o.port,
    settings: nginxSettings(o),
    pids: () => [pid, ...childPids(pid)],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'error.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return 'no error log';
  }
}

/** Direct children of a process (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
