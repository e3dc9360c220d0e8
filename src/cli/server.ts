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
        const config = cliConfig(program.opts<GlobalOptions>(), { mode: 'development', 'dev.idp.enabled': true, 'gateways.tunnel.enabled': true, 'monitoring.analytics.enabled': true });
        const out = process.stderr;
        const demoPacs = await import('../gateway/demoPacs/index.js');
        let pacs: Awaited<ReturnType<typeof demoPacs.startDemoPacs>> | undefined;
        if (demoPacs.orthancInstalled()) {
          out.write('  starting the demo PACS (Orthanc with synthetic studies)…\n');
          pacs = await demoPacs.startDemoPacs({ home: config.paths.home });
        }
        const broker = await startBroker(config, pacs ? { extraHttpTargets: [pacs.target] } : {}).catch(async (err: unknown) => {
          await pacs?.stop();
          throw err;
        });
        const gw = broker.httpGateway;
        out.write(
          [
            '',
            '  radgate demo (development mode)',
            `  sign in:         ${config.publicUrl}/   (development IdP: pick a demo user, then register a security key)`,
            `  control plane:   ${broker.url}   (health: ${broker.url}/readyz)`,
            `  root CA:         ${broker.url}/ca/root.pem  (also ${config.paths.caDir})`,
            `  data directory:  ${config.paths.home}`,
            ...(gw && pacs
              ? [
                  `  demo PACS:       Orthanc ${pacs.orthanc.httpUrl} with ${pacs.studies.studies.length} synthetic studies (departments: ${[...new Set(pacs.studies.studies.map((s) => s.department))].join(', ')})`,
                  `  DICOMweb:        ${gw.url}/dicom-web/studies   (after signing in as Dr. Alex Rivera, radiology: lists the radiology studies only)`,
                  `  view an image:   ${gw.url}/dicom-web/studies/${pacs.studies.studies[0]!.studyUid}/series/${pacs.studies.studies[0]!.series[0]!.seriesUid}/instances/${pacs.studies.studies[0]!.series[0]!.instances[0]!.sopUid}/rendered`,
                ]
              : ['  demo PACS:       not started: Orthanc is not installed (run deploy/setup.sh, or apt-get install orthanc orthanc-dicomweb dcmtk)']),
            ...(broker.tunnelGateway ? [`  vendor tunnels:  gateway ${broker.tunnelGateway.host}:${broker.tunnelGateway.port}; approvals at ${broker.url}/access/approvals (radgate request / tunnel)`] : []),
            `  admin console:   ${broker.url}/console   (admins: Lee, Okafor)`,
            '  try:             radgate policy test; radgate audit verify; radgate ca show',
            '  agent:           radgate login --server ' + config.publicUrl,
            '  Ctrl-C stops the broker.',
            '',
          ].join('\n') + '\n',
        );
        await untilSignal(broker);
        await pacs?.stop();
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
