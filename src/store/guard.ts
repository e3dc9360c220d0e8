// Turns synchronous better-sqlite3 calls into the async, typed-error surface callers see.
import { wrapError, type RadgateErrorCode } from '../errors/index.js';

export function guarded(area: string, code: RadgateErrorCode = 'store-unavailable') {
  return <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof Error && err.name === 'RadgateError') return Promise.reject(err);
      return Promise.reject(wrapError(code, `${area}: ${what} failed`, err));
    }
  };
}
