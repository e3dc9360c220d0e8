// Agent verbs: `radgate login|logout|whoami` on a user's device. Imports src/agent only,
// never server modules, so the agent can ship without the broker.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  defaultOpenBrowser,
  isAgentError,
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
