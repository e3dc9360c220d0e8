// `radgate policy validate|test|explain`: check a policy directory against its schema,
// run its test tables, and explain one decision. All three use the engine's own path.
// `radgate policy versions|propose|diff|impact|rollback` work on the broker's policy
// versions through the admin API as the logged-in administrator; approval is browser-only.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import {
  createMemoryAuditSink,
  createPolicyEngine,
  explain,
  isPolicyInvalidError,
  loadPolicySet,
  loadPolicyTests,
  parseEntityUid,
  runPolicyTests,
  toDecisionRequest,
  type EntitySpec,
  type PolicyIssue,
  type PolicySet,
} from '../policy/index.js';
import { action, cliConfig, CliExit, type GlobalOptions } from './context.js';
import { policyApi } from './policyVersionsApi.js';
import { readVersionFiles } from '../policy/index.js';

interface DirOptions extends GlobalOptions {
  dir?: string;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('validate, test and explain Cedar policies; propose, diff, roll back and preview versions');
  registerVersionCommands(policy);

  policy
    .command('validate')
    .description('parse the policies and validate them against the schema (strict); exits 1 naming file:line')
    .option('--dir <dir>', 'policy directory (default: config policy.dir)')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<DirOptions>();
        const set = await load(policyDir(opts));
        for (const w of set.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
        process.stdout.write(
          `OK: ${set.policies.size} policies (${countEffect(set, 'permit')} permit, ${countEffect(set, 'forbid')} forbid) in ${set.files.length} files, ` +
            `schema ${rel(set.schemaFile)}, version ${set.version}\n`,
        );
      }),
    );

  policy
    .command('test')
    .description('run the policy test tables (<dir>/tests/*.yaml) through the decision engine')
    .option('--dir <dir>', 'policy directory (default: config policy.dir)')
    .option('--tests <dir>', 'test directory (default: <dir>/tests)')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<DirOptions & { tests?: string }>();
        const dir = policyDir(opts);
        const set = await load(dir);
        const cases = await loadPolicyTests(opts.tests ? path.resolve(opts.tests) : path.join(dir, 'tests'));
        const summary = await runPolicyTests(set, cases);
        for (const r of summary.results) {
          const where = `${rel(r.case.file)}#${r.case.index}`;
          if (r.passed) process.stdout.write(`pass  ${r.case.name}\n`);
          else process.stdout.write(`FAIL  ${r.case.name} (${where}): ${r.message}\n`);
        }
        process.stdout.write(`${summary.passed} passed, ${summary.failed} failed\n`);
        if (summary.failed > 0) throw new CliExit('', 1);
      }),
    );

  policy
    .command('explain')
    .description('decide one request and show the determining policies with file:line and text')
    .requiredOption('--principal <uid>', 'principal uid, e.g. User::"alice"')
    .requiredOption('--action <action>', 'action, e.g. dicomweb.retrieve')
    .requiredOption('--resource <uid>', 'resource uid, e.g. Study::"1.2.3"')
    .option('--context <file>', 'JSON file with the request context')
    .option('--entities <file>', 'JSON file: array of {uid, attrs, parents} (principal, resource and others)')
    .option('--dir <dir>', 'policy directory (default: config policy.dir)')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<DirOptions & { principal: string; action: string; resource: string; context?: string; entities?: string }>();
        const set = await load(policyDir(opts));
        const context = opts.context ? await readJson(opts.context) : {};
        if (typeof context !== 'object' || context === null || Array.isArray(context)) throw new CliExit(`radgate: ${opts.context}: expected a JSON object`, 64);
        const entities = opts.entities ? await readJson(opts.entities) : [];
        if (!Array.isArray(entities)) throw new CliExit(`radgate: ${opts.entities}: expected a JSON array of entities`, 64);
        const principal = pick(entities as EntitySpec[], opts.principal, set.namespace, '--principal');
        const resource = pick(entities as EntitySpec[], opts.resource, set.namespace, '--resource');
        const others = (entities as EntitySpec[]).filter((e) => e !== principal.found && e !== resource.found);
        const req = toDecisionRequest(
          { principal: principal.spec, action: opts.action, resource: resource.spec, context: context as Record<string, unknown>, entities: others },
          set.namespace,
        );
        const engine = createPolicyEngine({ audit: createMemoryAuditSink(), cacheTtlSeconds: 0, cacheMaxEntries: 0 });
        try {
          engine.activate(set);
          const x = await explain(engine, req);
          const out = [`decision: ${x.decision}`, `reasons: ${x.reasons.join(', ')}`, `policy set: ${x.policyVersion}`];
          if (x.reasons.includes('no-permit')) out.push('no policy permits this request (default deny)');
          if (x.reasons.includes('engine-error')) out.push('the request could not be evaluated, so it is denied (fail closed)');
          for (const p of x.policies) {
            out.push('', `${p.id} (${p.effect}) ${rel(p.file)}:${p.line}`, ...p.text.split('\n').map((l) => `    ${l}`));
          }
          for (const e of x.errors) out.push(`error: ${e}`);
          process.stdout.write(`${out.join('\n')}\n`);
        } finally {
          engine.close();
        }
      }),
    );
}

/** The lifecycle verbs (admin API). */
function registerVersionCommands(policy: Command): void {
  const out = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  const id = (v: string) => encodeURIComponent(v);
  policy
    .command('versions')
    .description('list policy versions (active, proposed, superseded, rejected)')
    .action(
      action(async () => {
        const list = (await policyApi('GET', '/admin/api/policy/versions')) as { short: string; state: string; author: string; message: string; approvedBy: string | null }[];
        for (const v of list) process.stdout.write(`${v.short}  ${v.state.padEnd(10)}  ${v.author}${v.approvedBy ? ` -> ${v.approvedBy}` : ''}  ${v.message}\n`);
      }),
    );
  policy
    .command('propose')
    .description('propose a new version from policy directories and/or files (validated and tested on the broker)')
    .argument('<paths...>', 'directories (*.cedar, *.cedarschema, tests/*.yaml) or files')
    .requiredOption('--message <text>', 'what and why, shown to the approver')
    .action(
      action(async (paths: string[], opts: { message: string }) => {
        const files = await readVersionFiles(paths.map((p) => path.resolve(p)));
        const r = (await policyApi('POST', '/admin/api/policy/versions', { files, message: opts.message })) as { version: { id: string; short: string }; diff: unknown; testsPassed: number };
        process.stdout.write(`proposed ${r.version.short} (${r.testsPassed} policy tests passed); another administrator approves it in the console: /console/policy/versions/${r.version.id}\n`);
        out(r.diff);
      }),
    );
  policy
    .command('diff')
    .description('per-policy diff of a version against the active one (or --against)')
    .argument('<version>')
    .option('--against <version>')
    .action(
      action(async (version: string, opts: { against?: string }) => {
        const r = (await policyApi('GET', `/admin/api/policy/versions/${id(version)}/diff${opts.against ? `?against=${id(opts.against)}` : ''}`)) as {
          diff: { policies: { id: string; change: string; file: string; lines: { op: string; text: string }[] }[]; files: { name: string; change: string; lines: { op: string; text: string }[] }[] };
        };
        for (const p of [...r.diff.policies.map((x) => ({ head: `${x.change} ${x.id} (${x.file})`, lines: x.lines })), ...r.diff.files.map((x) => ({ head: `${x.change} ${x.name}`, lines: x.lines }))]) {
          process.stdout.write(`@@ ${p.head}\n${p.lines.map((l) => `${l.op} ${l.text}`).join('\n')}\n`);
        }
      }),
    );
  policy
    .command('impact')
    .description('replay recent decisions under a version and show what would flip')
    .argument('<version>')
    .option('--days <n>', 'days of decisions (1-90)')
    .action(action(async (version: string, opts: { days?: string }) => out(await policyApi('GET', `/admin/api/policy/versions/${id(version)}/impact${opts.days ? `?days=${id(opts.days)}` : ''}`))));
  policy
    .command('rollback')
    .description('propose going back to a previously active version (needs a second administrator like any change)')
    .argument('<version>')
    .option('--message <text>')
    .action(action(async (version: string, opts: { message?: string }) => out(await policyApi('POST', `/admin/api/policy/versions/${id(version)}/rollback`, opts.message ? { message: opts.message } : {}))));
  policy
    .command('approve')
    .description('approval needs a security-key confirmation: use the admin console in a browser')
    .argument('<version>')
    .action(
      action(async (version: string) => {
        throw new CliExit(`radgate: approving needs a WebAuthn step-up, which only the browser console can do: open /console/policy/versions/${version} and approve there`, 64);
      }),
    );
}

function policyDir(opts: DirOptions): string {
  return opts.dir ? path.resolve(opts.dir) : cliConfig(opts).paths.policyDir;
}

/** Loads a set; a policy error becomes one `file:line:col: message` line per problem and exit 1. */
async function load(dir: string): Promise<PolicySet> {
  try {
    return await loadPolicySet(dir);
  } catch (err) {
    if (isPolicyInvalidError(err)) {
      const n = err.issues.length;
      throw new CliExit(`${err.issues.map(formatIssue).join('\n')}\nradgate: ${n} policy error${n === 1 ? '' : 's'}`, 1);
    }
    throw err;
  }
}

function pick(entities: EntitySpec[], uidText: string, namespace: string, flag: string): { spec: EntitySpec; found?: EntitySpec } {
  const uid = parseEntityUid(uidText, namespace);
  if (!uid) throw new CliExit(`radgate: ${flag}: expected an entity uid like User::"alice"`, 64);
  const found = entities.find((e) => {
    const u = parseEntityUid(e?.uid, namespace);
    return u?.type === uid.type && u.id === uid.id;
  });
  return found ? { spec: found, found } : { spec: { uid } };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliExit(`radgate: ${file}: ${(err as Error).message}`, 66);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliExit(`radgate: ${file}: invalid JSON: ${(err as Error).message}`, 65);
  }
}

function formatIssue(i: PolicyIssue): string {
  return `${rel(i.file)}:${i.line}:${i.col}: ${i.message}`;
}

function countEffect(set: PolicySet, effect: 'permit' | 'forbid'): number {
  return [...set.policies.values()].filter((p) => p.effect === effect).length;
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}
