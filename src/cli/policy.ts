// `radgate policy validate|test|explain`: check a policy directory against its schema,
// run its test tables, and explain one decision. All three use the engine's own path.
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

interface DirOptions extends GlobalOptions {
  dir?: string;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('validate, test and explain Cedar policies');

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
