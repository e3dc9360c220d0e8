// RFC 9457 problem details: the only shape in which errors leave the broker over HTTP.
import { RadgateError } from './RadgateError.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  /** A finer, stable reason (e.g. `step-up-required`) when the error carries one. */
  reason?: string;
  instance?: string;
  requestId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Turns any thrown value into a problem; internal detail never leaves. */
export function toProblem(err: unknown, requestId?: string): Problem {
  const e =
    err instanceof RadgateError ? err : new RadgateError('internal', 'internal error');
  const problem: Problem = {
    type: `urn:radgate:problem:${e.code}`,
    title: titles[e.status] ?? 'Error',
    status: e.status,
    code: e.code,
  };
  if (e.expose) {
    problem.detail = e.message;
    const reason = (e as { reason?: unknown }).reason;
    if (typeof reason === 'string') problem.reason = reason;
  }
  else if (e.status === 503) problem.detail = 'service temporarily unavailable';
  if (requestId) problem.requestId = requestId;
  return problem;
}
