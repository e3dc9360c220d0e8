// `radgate ca show`: the root fingerprint to pin, validity, and where the CA files live.
// Creates the CA on first use, and says so.
import type { Command } from 'commander';
import { openCa, type CaInfo, type CertificateSummary } from '../ca/index.js';
import { createInProcessBus } from '../events/index.js';
import { action, cliConfig, withStore, type GlobalOptions } from './context.js';

export function registerCaCommands(program: Command): void {
  const ca = program.command('ca').description('the built-in certificate authority');

  ca.command('show')
    .description('print the root CA fingerprint, subject, validity and file paths; creates the CA if absent')
    .option('--json', 'print as JSON')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
        const config = cliConfig(opts);
        const info = await withStore(config, async (store) => {
          const bus = createInProcessBus((err) => process.stderr.write(`radgate: ${(err as Error)?.message ?? String(err)}\n`));
          const opened = await openCa({ config, store, bus });
          try {
            return opened.info();
          } finally {
            opened.close();
            await bus.drain();
          }
        });
        process.stdout.write(opts.json ? `${JSON.stringify(info)}\n` : formatCaInfo(info));
      }),
    );
}

export function formatCaInfo(info: CaInfo): string {
  const lines: string[] = [];
  if (info.created.root) lines.push(`created a new CA in ${info.paths.dir}`, '');
  else if (info.created.intermediate) lines.push(`created a new intermediate CA in ${info.paths.dir}`, '');
  const cert = (title: string, c: CertificateSummary, withFingerprint: boolean) => {
    lines.push(title, `  subject      ${c.subject}`);
    if (withFingerprint) lines.push(`  sha256       ${c.fingerprint}`);
    lines.push(`  serial       ${c.serial}`, `  valid        ${iso(c.notBefore)} to ${iso(c.notAfter)}`);
  };
  cert('root CA (pin this fingerprint)', info.root, true);
  cert('client-issuing intermediate CA', info.intermediate, false);
  cert('control plane TLS certificate', info.server, false);
  lines.push(
    'files',
    `  root         ${info.paths.rootCert}`,
    `  intermediate ${info.paths.intermediateCert}`,
    `  server       ${info.paths.serverCert}`,
    `  crl          ${info.paths.crl}`,
  );
  return lines.join('\n') + '\n';
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
