// Parses radgate.yaml plus RADGATE_* overrides once into a frozen, typed config.
// This module is the only reader of process.env.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { RadgateError } from '../errors/index.js';
import { configSchema, type ParsedConfig } from './schema.js';

export type Config = DeepReadonly<
  Omit<ParsedConfig, 'publicUrl'> & {
    /** The control plane's public URL: config publicUrl, else https://localhost:<port>. */
    publicUrl: string;
    /** Absolute paths resolved against `home`. */
    paths: { home: string; store: string; caDir: string; policyDir: string; configFile: string | undefined };
  }
>;

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface LoadConfigOptions {
  /** Environment to read RADGATE_* from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Explicit config file; otherwise RADGATE_CONFIG, then ./radgate.yaml if present. */
  file?: string;
  cwd?: string;
  /** Extra values merged over file and env (CLI flags). */
  overrides?: Record<string, unknown>;
}

/** Environment variables that are not config keys. */
const NON_KEYS = new Set(['RADGATE_CONFIG']);

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = resolveConfigFile(options.file ?? env.RADGATE_CONFIG, cwd);
  const problems: string[] = [];

  let raw: Record<string, unknown> = {};
  if (configFile) {
    try {
      const parsed: unknown = parseYaml(readFileSync(configFile, 'utf8'));
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) problems.push(`config: ${configFile}: expected a mapping at the top level`);
        else raw = parsed as Record<string, unknown>;
      }
    } catch (err) {
      problems.push(`config: ${configFile}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RADGATE_') || NON_KEYS.has(name) || value === undefined) continue;
    const keyPath = name.slice('RADGATE_'.length).split('__').map(snakeToCamel);
    setPath(raw, keyPath, parseEnvValue(value));
  }
  for (const [dotted, value] of Object.entries(options.overrides ?? {})) setPath(raw, dotted.split('.'), value);

  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.map(formatIssue));
  if (problems.length > 0 || !result.success) {
    throw new RadgateError('config-invalid', problems.join('\n'), { status: 500 });
  }
  const cfg = result.data;
  const home = path.resolve(cwd, cfg.home);
  const under = (p: string) => path.resolve(home, p);
  const { host, port } = cfg.listen.control;
  const publicHost = host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' ? 'localhost' : host;
  const full = {
    ...cfg,
    publicUrl: (cfg.publicUrl ?? `https://${publicHost}:${port}`).replace(/\/+$/, ''),
    home,
    paths: {
      home,
      store: cfg.store.path === ':memory:' ? ':memory:' : under(cfg.store.path),
      caDir: under(cfg.ca.dir),
      policyDir: path.resolve(cwd, cfg.policy.dir),
      configFile,
    },
  };
  return deepFreeze(full) as Config;
}

function resolveConfigFile(file: string | undefined, cwd: string): string | undefined {
  if (file) {
    const abs = path.resolve(cwd, file);
    if (!existsSync(abs)) throw new RadgateError('config-invalid', `config: ${abs}: file not found`);
    return abs;
  }
  const dflt = path.resolve(cwd, 'radgate.yaml');
  return existsSync(dflt) ? dflt : undefined;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `config: ${[...issue.path, k].join('.')}: unknown key`).join('\n');
  }
  const got = 'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : '';
  return `config: ${where}: ${issue.message}${got}`;
}

function snakeToCamel(s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseEnvValue(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v.startsWith('[')) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

function setPath(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
