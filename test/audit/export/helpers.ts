// Test peers for the ATNA exporter: a throw-away CA (openssl) with collector and client
// certificates, and a real Debian rsyslog (rsyslog-gnutls) listening with TLS on a loopback
// high port and writing each received message to a file. Under CI=true a missing rsyslog fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'node:net';

export const IN_CI = process.env.CI === 'true';
export const RSYSLOGD = '/usr/sbin/rsyslogd';
export const GTLS_MODULE = '/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so';
export const rsyslogAvailable = () => existsSync(RSYSLOGD) && existsSync(GTLS_MODULE) && spawnSync('xmllint', ['--version']).status === 0;

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA and a collector certificate it signed (the "wrong" collector). */
  otherCaCert: string;
  otherServerCert: string;
  otherServerKey: string;
}

/** A CA, a collector certificate for 127.0.0.1/localhost, a client certificate, and a rogue CA with its own collector certificate. */
export function makePki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const ca = (name: string) => {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  };
  const leaf = (name: string, caName: string, ext: string) => {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  };
  ca('test-ca');
  ca('other-ca');
  const serverExt = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n';
  leaf('collector', 'test-ca', serverExt);
  leaf('rogue-collector', 'other-ca', serverExt);
  leaf('client', 'test-ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,serverAuth\nsubjectAltName=DNS:radgate.test\n');
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    caCert: f('test-ca.crt'),
    serverCert: f('collector.crt'),
    serverKey: f('collector.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    otherCaCert: f('other-ca.crt'),
    otherServerCert: f('rogue-collector.crt'),
    otherServerKey: f('rogue-collector.key'),
  };
}

export interface Rsyslog {
  port: number;
  outFile: string;
  /** SIGTERM, and resolves when the process exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and file. */
  restart(): Promise<void>;
  /** The messages written so far (one per line). */
  lines(): string[];
}

export interface RsyslogOptions {
  dir: string;
  port: number;
  cert: string;
  key: string;
  ca: string;
  /** anon: any client; x509/certvalid: a client certificate signed by `ca` is required. */
  authMode?: 'anon' | 'x509/certvalid';
}

export async function startRsyslog(o: RsyslogOptions): Promise<Rsyslog> {
  const work = path.join(o.dir, 'work');
  mkdirSync(work, { recursive: true });
  const outFile = path.join(o.dir, 'atna.log');
  const conf = path.join(o.dir, 'rsyslog.conf');
  const pidFile = path.join(o.dir, 'rsyslogd.pid');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${work}" maxMessageSize="256k"`,
      `  defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="${o.ca}"`,
      `  defaultNetstreamDriverCertFile="${o.cert}" defaultNetstreamDriverKeyFile="${o.key}")`,
      `module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="${o.authMode ?? 'anon'}" MaxSessions="16")`,
      `template(name="raw" type="string" string="%rawmsg%\\n")`,
      `ruleset(name="atna") { action(type="omfile" file="${outFile}" template="raw" flushOnTXEnd="on" asyncWriting="off") }`,
      `input(type="imtcp" port="${o.port}" address="127.0.0.1" ruleset="atna")`,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  const start = async () => {
    stderr = '';
    child = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => (stderr += d.toString()));
    const c = child;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(o.port))) {
      if (c.exitCode !== null || Date.now() > deadline) throw new Error(`rsyslogd did not start listening on ${o.port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await start();
  return {
    port: o.port,
    outFile,
    async stop() {
      child?.kill('SIGTERM');
      await exited;
    },
    restart: start,
    lines: () => (existsSync(outFile) ? readFileSync(outFile, 'utf8').split('\n').filter((l) => l.length > 0) : []),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** xmllint --relaxng against the transcribed PS3.15 A.5.1 schema; returns the error text, '' when valid. */
export function validateAtnaXml(xml: string, dir: string, name = 'msg.xml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, xml);
  const schema = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'dicom-audit-message.rng');
  const r = spawnSync('xmllint', ['--noout', '--relaxng', schema, file], { encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr;
}

export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
