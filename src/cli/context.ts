// Shared plumbing for CLI verbs: config loading, store opening, and error exit codes.
import { loadConfig, type Config } from '../config/index.js';
import { isRadgateError } from '../errors/index.js';
import { openStore, type Store } from '../store/index.js';

/** Global options every verb accepts (set on the root program). */
export interface GlobalOptions {
  config?: string;
}

export function cliConfig(opts: GlobalOptions = {}, overrides?: Record<string, unknown>): Config {
  return loadConfig({ ...(opts.config ? { file: opts.config } : {}), ...(overrides ? { overrides } : {}) });
}

export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ location: config.paths.store, busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** A CLI failure with a message naming the problem and an exit code (no stack traces). */
export class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Wraps an action: prints `radgate: <message>` to stderr and exits non-zero on failure. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof CliExit) {
        if (err.message) process.stderr.write(`${err.message}\n`);
        process.exitCode = err.exitCode;
      } else if (isRadgateError(err)) {
        const prefix = err.code === 'config-invalid' ? '' : `radgate: ${err.code}: `;
        process.stderr.write(`${prefix}${err.message}\n`);
        process.exitCode = err.code === 'config-invalid' ? 78 : 1;
      } else {
        process.stderr.write(`radgate: internal error: ${(err as Error)?.message ?? String(err)}\n`);
        process.exitCode = 70;
      }
    }
  };
}
