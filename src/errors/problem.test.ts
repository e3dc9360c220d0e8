import { describe, expect, it } from 'vitest';
import { RadgateError, toProblem, wrapError } from './index.js';

describe('toProblem', () => {
  it('shows the message of a client error', () => {
    const p = toProblem(new RadgateError('csr-invalid', 'CSR is not PEM'), 'r1');
    expect(p).toEqual({ type: 'urn:radgate:problem:csr-invalid', title: 'Bad Request', status: 400, code: 'csr-invalid', detail: 'CSR is not PEM', requestId: 'r1' });
  });

  it('never shows internal detail or messages of server errors', () => {
    const p = toProblem(new RadgateError('internal', 'db file /var/x corrupt', { detail: 'secret path' }));
    expect(JSON.stringify(p)).not.toMatch(/corrupt|secret/);
    expect(p.status).toBe(500);
  });

  it('turns a foreign error into a bare internal error', () => {
    const p = toProblem(new TypeError('x is undefined at foo.ts:12'));
    expect(p).toMatchObject({ status: 500, code: 'internal' });
    expect(JSON.stringify(p)).not.toMatch(/foo\.ts/);
  });

  it('wraps third-party errors with cause and keeps their text private', () => {
    const cause = new Error('SQLITE_BUSY');
    const e = wrapError('store-unavailable', 'database busy', cause);
    expect(e.cause).toBe(cause);
    expect(e.detail).toBe('SQLITE_BUSY');
    expect(toProblem(e).detail).toBe('service temporarily unavailable');
  });
});
