#!/usr/bin/env node
// The radgate command: server verbs (serve, demo, migrate, ca, policy, audit) and agent
// verbs (login, logout, whoami, enroll, posture, cert, status); tunnel and proxy arrive with their issues.
import { Command } from 'commander';
import { registerAccessCommands } from './access.js';
import { registerAgentCommands } from './agent.js';
import { registerAuditCommands } from './audit.js';
import { registerCaCommands } from './ca.js';
import { registerDevicesCommands } from './devices.js';
import { registerPolicyCommands } from './policy.js';
import { registerServerCommands } from './server.js';
import { VERSION } from './version.js';

const program = new Command()
  .name('radgate')
  .description('Zero-trust access broker for hospital medical imaging')
  .version(VERSION)
  .option('-c, --config <file>', 'config file (default: ./radgate.yaml or $RADGATE_CONFIG)')
  .showHelpAfterError('(run radgate --help for usage)');

registerServerCommands(program);
registerCaCommands(program);
registerPolicyCommands(program);
registerAuditCommands(program);
registerAgentCommands(program);
registerDevicesCommands(program);
registerAccessCommands(program);

// Every verb, nested ones included, one line each.
program.addHelpText('after', () => {
  const rows: [string, string][] = [];
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = `${prefix}${sub.name()}`;
      if (sub.commands.length === 0) rows.push([name, sub.description()]);
      walk(sub, `${name} `);
    }
  };
  walk(program, '');
  const width = Math.max(...rows.map(([n]) => n.length));
  return `\nVerbs:\n${rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join('\n')}\n`;
});

await program.parseAsync(process.argv);
