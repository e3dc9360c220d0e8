// Access verbs on the agent: `radgate targets list|add|rm`, `radgate request`,
// `radgate requests list|approve|deny`, `radgate grants list|revoke`, `radgate breakglass`,
// `radgate reviews list|record` and `radgate tunnel`. Thin: each calls one src/agent function and prints the answer.
import type { Command } from 'commander';
import { addTarget, breakGlass, createRequest, decideRequest, isAgentError, listGrants, listRequests, listReviews, listTargets, openTunnel, parseListen, recordReview, removeTarget, resolveAgentHome, revokeGrant } from '../agent/index.js';

function act<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
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

const home = () => ({ home: resolveAgentHome(process.env) });
const out = (v: unknown, json: boolean | undefined, text: () => string) => void process.stdout.write(json ? `${JSON.stringify(v)}\n` : `${text()}\n`);
const table = (rows: string[][]) => {
  if (rows.length === 0) return '(none)';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
};
const s = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function registerAccessCommands(program: Command): void {
  const targets = program.command('targets').description('protected upstreams vendors can ask for');
  targets
    .command('list')
    .description('list targets and their labels')
    .option('--json', 'print JSON')
    .action(
      act(async (o: { json?: boolean }) => {
        const rows = await listTargets(home());
        out(rows, o.json, () => table([['NAME', 'KIND', 'RISK', 'SITE', 'DEPARTMENT', 'SOURCE', 'ADDRESS'], ...rows.map((t) => { const l = (t.labels ?? {}) as Record<string, unknown>; return [s(t.name), s(t.kind), s(l.risk), s(l.site), s(l.department), s(t.source), s(t.address)]; })]));
      }),
    );
  targets
    .command('add <name>')
    .description('add a tcp target (admin, fresh step-up)')
    .requiredOption('--address <host:port>', 'where the gateway connects')
    .option('--risk <level>', 'low | medium | high (high needs two approvers)')
    .option('--site <site>')
    .option('--department <department>')
    .option('--owner <owner>')
    .option('--max-duration <duration>', 'longest grant on this target, e.g. 2h')
    .option('--recording', 'record the raw byte stream of tunnels (unencrypted protocols only)')
    .option('--json', 'print JSON')
    .action(
      act(async (name: string, o: { address: string; risk?: string; site?: string; department?: string; owner?: string; maxDuration?: string; recording?: boolean; json?: boolean }) => {
        const labels = Object.fromEntries(Object.entries({ risk: o.risk, site: o.site, department: o.department, owner: o.owner }).filter(([, v]) => v !== undefined));
        const t = await addTarget({ name, kind: 'tcp', address: o.address, labels, ...(o.maxDuration ? { maxDuration: o.maxDuration } : {}), recording: o.recording === true }, home());
        out(t, o.json, () => `Added target ${name} (${o.address})`);
      }),
    );
  targets
    .command('rm <name>')
    .description('remove an admin-added target; active grants on it end (admin, fresh step-up)')
    .action(
      act(async (name: string) => {
        const r = (await removeTarget(name, home())) as { endedGrants?: string[] };
        out(r, false, () => `Removed target ${name}${r.endedGrants?.length ? `; ended grants ${r.endedGrants.join(', ')}` : ''}`);
      }),
    );

  program
    .command('request')
    .description('ask for time-boxed access to a target')
    .requiredOption('--target <name>', 'the target')
    .requiredOption('--reason <text>', 'why (shown to approvers)')
    .option('--duration <duration>', 'how long, e.g. 2h (default: the broker default)')
    .option('--ticket <id>', 'change or incident ticket, e.g. ABC-123')
    .option('--start <iso>', 'start later (ISO 8601); default now')
    .option('--json', 'print JSON')
    .action(
      act(async (o: { target: string; reason: string; duration?: string; ticket?: string; start?: string; json?: boolean }) => {
        const r = await createRequest({ target: o.target, reason: o.reason, ...(o.duration ? { duration: o.duration } : {}), ...(o.ticket ? { ticket: o.ticket } : {}), ...(o.start ? { start: o.start } : {}) }, home());
        out(r, o.json, () => `Request ${s(r.id)} for ${s(r.target)} ${s(r.startAt)} – ${s(r.endAt)} is pending (${s(r.approvalsNeeded)} approval(s) needed)`);
      }),
    );

  const requests = program.command('requests').description('access requests (approvers see everyone’s)');
  requests
    .command('list')
    .description('list requests (default: pending)')
    .option('--state <state>', 'pending | approved | denied | expired | all', 'pending')
    .option('--mine', 'only my own requests')
    .option('--json', 'print JSON')
    .action(
      act(async (o: { state: string; mine?: boolean; json?: boolean }) => {
        const rows = await listRequests({ state: o.state, mine: o.mine === true }, home());
        out(rows, o.json, () =>
          table([['ID', 'REQUESTER', 'ORG', 'TARGET', 'START', 'END', 'STATE', 'APPROVALS', 'REASON'], ...rows.map((r) => [s(r.id), s(r.requesterId), s(r.requesterOrg), s(r.target), s(r.startAt), s(r.endAt), s(r.state), `${(r.approvals as unknown[]).length}/${s(r.approvalsNeeded)}`, s(r.reason)])]),
        );
      }),
    );
  for (const decision of ['approve', 'deny'] as const) {
    requests
      .command(`${decision} <id>`)
      .description(`${decision} a request (needs a fresh security-key verification; otherwise prints the page to use)`)
      .option('--comment <text>')
      .option('--json', 'print JSON')
      .action(
        act(async (id: string, o: { comment?: string; json?: boolean }) => {
          const r = (await decideRequest(id, decision, o.comment, home())) as { request: Record<string, unknown>; grant?: Record<string, unknown> };
          out(r, o.json, () => (r.grant ? `Approved ${id}: grant ${s(r.grant.id)} for ${s(r.grant.target)} until ${s(r.grant.endAt)}` : `Recorded: ${id} is ${s(r.request.state)}`));
        }),
      );
  }

  const grants = program.command('grants').description('time-boxed grants');
  grants
    .command('list')
    .description('list my grants (--all: everyone’s, approvers)')
    .option('--all', 'every user’s grants')
    .option('--state <state>', 'active | revoked | ended')
    .option('--json', 'print JSON')
    .action(
      act(async (o: { all?: boolean; state?: string; json?: boolean }) => {
        const rows = await listGrants({ all: o.all === true, ...(o.state ? { state: o.state } : {}) }, home());
        out(rows, o.json, () => table([['ID', 'USER', 'TARGET', 'START', 'END', 'STATE', 'LIVE', 'BREAK-GLASS'], ...rows.map((g) => [s(g.id), s(g.userId), s(g.target), s(g.startAt), s(g.endAt), s(g.state), s(g.live), g.breakGlass ? 'yes' : ''])]));
      }),
    );
  grants
    .command('revoke <id>')
    .description('revoke a grant: its tunnels close within a second')
    .option('--reason <text>')
    .action(
      act(async (id: string, o: { reason?: string }) => {
        const g = await revokeGrant(id, o.reason, home());
        out(g, false, () => `Revoked ${id} (${s(g.target)})`);
      }),
    );

  program
    .command('breakglass')
    .description('emergency access without approval (step-up; announced and reviewed)')
    .requiredOption('--target <name>', 'the target')
    .requiredOption('--reason <text>', 'what the emergency is')
    .option('--duration <duration>', 'at most the configured maximum (default it)')
    .option('--json', 'print JSON')
    .action(
      act(async (o: { target: string; reason: string; duration?: string; json?: boolean }) => {
        const r = await breakGlass({ target: o.target, reason: o.reason, ...(o.duration ? { duration: o.duration } : {}) }, home());
        out(r, o.json, () => `BREAK-GLASS grant ${s(r.grant.id)} on ${s(r.grant.target)} until ${s(r.grant.endAt)}. The security team has been notified; this access will be reviewed.`);
      }),
    );

  const reviews = program.command('reviews').description('after-the-fact review of break-glass grants (admin)');
  reviews
    .command('list')
    .description('list break-glass grants nobody has reviewed yet')
    .option('--json', 'print JSON')
    .action(
      act(async (o: { json?: boolean }) => {
        const rows = await listReviews(home());
        out(rows, o.json, () => table([['ID', 'CREATED', 'SUMMARY'], ...rows.map((r) => [s(r.id), s(r.createdAt), s(r.summary)])]));
      }),
    );
  reviews
    .command('record <id>')
    .description('record the review of a break-glass grant (not your own; fresh step-up)')
    .requiredOption('--note <text>', 'what was checked')
    .action(
      act(async (id: string, o: { note: string }) => {
        await recordReview(id, o.note, home());
        out(null, false, () => `Review of ${id} recorded`);
      }),
    );

  program
    .command('tunnel <target>')
    .description('listen locally and tunnel each connection to the target through the gateway (needs an active grant)')
    .option('--listen <host:port>', 'local address to listen on', '127.0.0.1:2222')
    .option('--gateway <host:port>', 'tunnel gateway (default: what the broker advertises)')
    .action(
      act(async (target: string, o: { listen: string; gateway?: string }) => {
        const print = (line: string) => void process.stderr.write(`${line}\n`);
        const t = await openTunnel({ ...home(), target, listen: parseListen(o.listen), ...(o.gateway ? { gateway: parseListen(o.gateway) } : {}), print });
        print(`Tunnel to ${target} listening on ${parseListen(o.listen).host}:${t.port} (grant ${t.grantId} until ${t.endsAt}; certificate ${t.certificate.serial})`);
        const stop = () => void t.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const why = await t.done;
        print(`Tunnel to ${target} closed (${why})`);
      }),
    );
}
