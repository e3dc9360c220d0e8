// Hono glue shared by every control-plane router: request ids, problem+json errors,
// access logs without secrets.
import { randomBytes } from 'node:crypto';
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { RadgateError, toProblem, PROBLEM_CONTENT_TYPE, isRadgateError, type Problem } from '../errors/index.js';
import type { Logger } from '../log/index.js';

export type AppEnv = { Variables: { requestId: string } };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomBytes(9).toString('base64url');
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}

export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    logger.info(
      { reqId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - start) * 10) / 10 },
      'request',
    );
  };
}

/** Renders a problem as an HTML page for browsers (the same facts, nothing more). */
export type ProblemPageRenderer = (problem: Problem) => string;

export function problemResponse(c: Context<AppEnv>, err: unknown, renderHtml?: ProblemPageRenderer): Response {
  const problem = toProblem(err, c.get('requestId'));
  if (renderHtml && (c.req.header('accept') ?? '').includes('text/html')) {
    return c.html(renderHtml(problem), problem.status as 400, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  }
  return c.body(JSON.stringify(problem), problem.status as 400, { 'Content-Type': PROBLEM_CONTENT_TYPE });
}

export function onError(logger: Logger, renderHtml?: ProblemPageRenderer): ErrorHandler<AppEnv> {
  return (err, c) => {
    const e = isRadgateError(err) ? err : new RadgateError('internal', 'internal error', { cause: err });
    const log = e.status >= 500 ? logger.error.bind(logger) : logger.info.bind(logger);
    log({ reqId: c.get('requestId'), code: e.code, detail: e.detail ?? (isRadgateError(err) ? undefined : String(err)) }, e.message);
    return problemResponse(c, e, renderHtml);
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new RadgateError('not-found', `no route for ${c.req.method} ${c.req.path}`));
