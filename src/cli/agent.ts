// Agent verbs: `radgate login|logout|whoami|enroll|posture|cert|status` on a user's device. Imports src/agent only,
// never server modules, so the agent can ship without the broker.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  parseListen,
  openProxy,
  collectPosture,
  defaultOpenBrowser,
  enroll,
  ensureCertificate,
  isAgentError,
  reportPosture,
  requestCertificate,
  status,
  type AgentStatus,
  type PostureSignals,
  loginDevice,
  loginLoopback,
  logout,
  resolveAgentHome,
  whoami,
  type AgentSession,
  type TrustOptions,
} from '../agent/index.js';

interface LoginOptions {
  server: string;
  device?: boolean;
  ca?: string;
  caFingerprint?: string;
  browser: boolean;
}

export function registerAgentCommands(program: Command): void {
  program
    .command('login')
    .description('sign this device in to a radgate broker (browser sign-in, or --device for headless machines)')
    .requiredOption('--server <url>', 'broker URL, e.g. https://radgate.hospital.example:8443')
    .option('--device', 'sign in from another device by entering a short code (for machines without a browser)')
    .option('--ca <file>', "the broker's root CA certificate (PEM)")
    .option('--ca-fingerprint <hex>', "SHA-256 fingerprint of the broker's root CA, to pin it without asking")
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .action(
      agentAction(async (opts: LoginOptions) => {
        const home = resolveAgentHome(process.env);
        const print = (line: string) => void process.stderr.write(`${line}\n`);
        const trust: TrustOptions = {
          ...(opts.ca ? { ca: opts.ca } : {}),
          ...(opts.caFingerprint ? { caFingerprint: opts.caFingerprint } : {}),
          confirmFingerprint: confirmOnTerminal,
        };
        const session = opts.device
          ? await loginDevice({ server: opts.server, home, print, ...trust })
          : await loginLoopback({ server: opts.server, home, print, ...trust, ...(opts.browser ? { openBrowser: defaultOpenBrowser } : {}) });
        process.stdout.write(`Signed in to ${session.server} as ${describeUser(session.user)}; session ${session.sessionId} until ${session.expiresAt}\n`);
      }),
    );

  program
    .command('logout')
    .description('end this device’s radgate session at the broker and delete the local token')
    .option('--forget', 'delete the local token even if the broker cannot be reached')
    .action(
      agentAction(async (opts: { forget?: boolean }) => {
        const r = await logout({ home: resolveAgentHome(process.env), forget: opts.forget ?? false });
        process.stdout.write(r.endedAtServer ? `Logged out of ${r.server}\n` : `Local token deleted; the session at ${r.server} had already ended or could not be reached\n`);
      }),
    );

  program
    .command('whoami')
    .description('show who this device is signed in as, according to the broker')
    .option('--json', 'print the answer as JSON')
    .action(
      agentAction(async (opts: { json?: boolean }) => {
        const r = await whoami({ home: resolveAgentHome(process.env) });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        const expires = typeof r.session.expiresAt === 'number' ? new Date(r.session.expiresAt).toISOString() : r.session.expiresAt;
        process.stdout.write(
          [`user:     ${describeUser(r.user)}`, `server:   ${r.server}`, `session:  ${r.session.id} (${r.session.state}), expires ${expires}`].join('\n') + '\n',
        );
      }),
    );

  registerDeviceCommands(program);
}

function registerDeviceCommands(program: Command): void {
  program
    .command('enroll')
    .description('enrol this device with the broker: create its key pair and send signed device facts')
    .option('--name <name>', 'a name for this device, shown to administrators')
    .option('--json', 'print the answer as JSON')
    .action(
      agentAction(async (opts: { name?: string; json?: boolean }) => {
        const d = await enroll({ home: resolveAgentHome(process.env), ...(opts.name ? { name: opts.name } : {}) });
        if (opts.json) return void process.stdout.write(`${JSON.stringify(d)}\n`);
        process.stdout.write(`Enrolled at ${d.server} as device ${d.deviceId} (${d.state})${d.state === 'pending' ? '; an administrator must approve it' : ''}\n`);
      }),
    );

  program
    .command('posture')
    .description('collect this device’s security posture and send it, signed, to the broker')
    .option('--json', 'print the result as JSON')
    .option('--dry-run', 'only collect and print the signals; send nothing')
    .action(
      agentAction(async (opts: { json?: boolean; dryRun?: boolean }) => {
        if (opts.dryRun) {
          const p = await collectPosture();
          if (opts.json) return void process.stdout.write(`${JSON.stringify(p)}\n`);
          process.stdout.write(`${signalTable(p.signals)}\n(dry run: nothing was sent)\n`);
          return;
        }
        const r = await reportPosture({ home: resolveAgentHome(process.env) });
        if (opts.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
        process.stdout.write(`${signalTable(r.report.signals)}\n\nTier: ${r.tier}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}\n`);
      }),
    );

  program
    .command('cert')
    .description('generate a fresh key and CSR and obtain a short-lived client certificate')
    .option('--grant <id>', 'the access grant the certificate is for (vendors)')
    .option('--if-needed', 'keep the current certificate unless less than a third of its lifetime is left')
    .option('--json', 'print the answer as JSON')
    .action(
      agentAction(async (opts: { grant?: string; ifNeeded?: boolean; json?: boolean }) => {
        const home = resolveAgentHome(process.env);
        const base = { home, ...(opts.grant ? { grantId: opts.grant } : {}) };
        const r = opts.ifNeeded ? await ensureCertificate(base) : { certificate: await requestCertificate(base), renewed: true };
        const c = r.certificate;
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ ...c, renewed: r.renewed })}\n`);
        process.stdout.write(
          [`${r.renewed ? 'Issued' : 'Kept'} certificate ${c.serial}, valid until ${c.notAfter}`, `  key:   ${c.keyFile}`, `  cert:  ${c.certFile}`, `  chain: ${c.chainFile}`].join('\n') + '\n',
        );
      }),
    );

  program
    .command('proxy')
    .description('serve a DICOMweb target on a plain-HTTP loopback port for local viewers, forwarded over mTLS with this device’s certificate')
    .requiredOption('--target <name>', 'DICOMweb target name (the broker lists them at /api/v1/gateways)')
    .option('--listen <host:port>', 'loopback address to listen on', '127.0.0.1:8042')
    .action(
      agentAction(async (opts: { target: string; listen: string }) => {
        const { host, port } = parseListen(opts.listen);
        const print = (line: string) => void process.stderr.write(`${line}\n`);
        const proxy = await openProxy({ target: opts.target, listen: { host, port }, print });
        process.stdout.write(`DICOMweb for ${opts.target}: ${proxy.url}  (certificate ${proxy.certificate.serial}; Ctrl-C stops)\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await proxy.close();
      }),
    );

  program
    .command('status')
    .description('show user, device, tier, posture age and certificate expiry')
    .option('--json', 'print the answer as JSON')
    .action(
      agentAction(async (opts: { json?: boolean }) => {
        const s = await status({ home: resolveAgentHome(process.env) });
        process.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : `${statusTable(s)}\n`);
      }),
    );
}

function signalTable(signals: PostureSignals): string {
  const rows = Object.entries(signals).map(([name, s]) => [name, s.status === 'ok' ? String(s.value) : s.status, s.source]);
  return table([['SIGNAL', 'VALUE', 'SOURCE'], ...rows]);
}

function statusTable(s: AgentStatus): string {
  const dash = '-';
  const rows: [string, string][] = [
    ['user', s.user ? describeUser(s.user) : 'not logged in'],
    ['server', s.server ?? dash],
    ['session', s.session ? `${s.session.id}, ${s.session.expired ? 'expired' : 'expires'} ${s.session.expiresAt}` : dash],
    ['device', s.device ? `${s.device.id}${s.device.name ? ` (${s.device.name})` : ''}` : 'not enrolled'],
    ['device state', s.device?.state ?? dash],
    ['tier', s.device?.tier ?? dash],
    ['posture age', s.device?.postureAgeSeconds == null ? 'never reported' : `${duration(s.device.postureAgeSeconds)} ago`],
    ['certificate', s.certificate ? s.certificate.serial : 'none'],
    ['cert expiry', s.certificate ? `${s.certificate.notAfter} (${s.certificate.expired ? 'expired' : `in ${duration(s.certificate.expiresInSeconds)}`})` : dash],
    ['broker', s.broker],
  ];
  return table(rows);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

function describeUser(u: AgentSession['user']): string {
  return u.displayName ? `${u.displayName} (${u.id}, ${u.kind})` : `${u.id} (${u.kind})`;
}

/** First contact: the user compares the root fingerprint with `radgate ca show` on the broker. */
async function confirmOnTerminal(info: { server: string; fingerprint: string; subject: string }): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const err = process.stderr;
  err.write(
    [
      `${info.server} is not known to this device yet. Its root CA is:`,
      `  subject: ${info.subject.replace(/\n/g, ', ')}`,
      `  SHA-256: ${info.fingerprint}`,
      'Compare this fingerprint with the one your administrator published (radgate ca show on the broker).',
      '',
    ].join('\n'),
  );
  const rl = createInterface({ input: process.stdin, output: err });
  try {
    const answer = await rl.question('Trust this root CA for this broker? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Like the server verbs' `action`, without importing server modules. */
function agentAction<O>(fn: (opts: O) => Promise<void>): (opts: O) => Promise<void> {
  return async (opts: O) => {
    try {
      await fn(opts);
    } catch (err) {
      if (isAgentError(err)) {
        process.stderr.write(`radgate: ${err.code}: ${err.message}\n`);
        process.exitCode = err.code === 'not-logged-in' ? 2 : 1;
      } else {
        process.stderr.write(`radgate: internal error: ${(err as Error)?.message ?? String(err)}\n`);
        process.exitCode = 70;
      }
    }
  };
}
