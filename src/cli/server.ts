// Server verbs: serve, demo, migrate.
import type { Command } from 'commander';
import { migrateDatabase } from '../store/index.js';
import type { Broker } from '../server.js';
import { action, cliConfig, type GlobalOptions } from './context.js';

// The server (and with it oidc-provider, Cedar, the CA) loads only for the verbs that run it.
const startBroker: typeof import('../server.js').startBroker = async (...args) => (await import('../server.js')).startBroker(...args);

function untilSignal(broker: Broker): Promise<void> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      broker.logger.info({ signal: sig }, 'shutting down');
      void broker.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export function registerServerCommands(program: Command): void {
  program
    .command('serve')
    .description('start the broker (control plane over HTTPS)')
    .option('--port <port>', 'control-plane port (overrides listen.control.port)')
    .action(
      action(async (opts: { port?: string }) => {
        const config = cliConfig(program.opts<GlobalOptions>(), opts.port ? { 'listen.control.port': Number(opts.port) } : undefined);
        const broker = await startBroker(config);
        await untilSignal(broker);
      }),
    );

  program
    .command('demo')
    .description('start the broker with development defaults, print what to open')
    .action(
      action(async () => {
        const config = cliConfig(program.opts<GlobalOptions>(), { mode: 'development', 'dev.idp.enabled': true });
        const broker = await startBroker(config);
        const out = process.stderr;
        out.write(
          [
            '',
            '  radgate demo (development mode)',
            `  sign in:         ${config.publicUrl}/   (development IdP: pick a demo user, then register a security key)`,
            `  control plane:   ${broker.url}   (health: ${broker.url}/readyz)`,
            `  root CA:         ${broker.url}/ca/root.pem  (also ${config.paths.caDir})`,
            `  data directory:  ${config.paths.home}`,
            '  try:             radgate policy test; radgate audit verify; radgate ca show',
            '  agent:           radgate login --server ' + config.publicUrl,
            '  not yet built:   device enrolment and the demo PACS behind the DICOMweb gateway',
            '                   arrive with their issues.',
            '  Ctrl-C stops the broker.',
            '',
          ].join('\n') + '\n',
        );
        await untilSignal(broker);
      }),
    );

  program
    .command('migrate')
    .description('apply database migrations')
    .action(
      action(async () => {
        const config = cliConfig(program.opts<GlobalOptions>());
        const { applied } = await migrateDatabase(config.paths.store);
        process.stdout.write(`migrations applied: ${applied} (database ${config.paths.store})\n`);
      }),
    );
}
