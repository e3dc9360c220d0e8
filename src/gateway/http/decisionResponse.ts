// problem+json answers of the DICOMweb gateway: refusals by the classifier, by identity
// checks and by policy. Only stable codes and safe messages; never upstream text.
import type { ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../errors/index.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  414: 'URI Too Long',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** HTTP status → problem `code` (the vocabulary of src/errors). */
const CODES: Record<number, string> = {
  400: 'bad-request',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  414: 'uri-too-long',
  500: 'internal',
  502: 'bad-gateway',
  503: 'unavailable',
  504: 'gateway-timeout',
};

export interface GatewayProblem extends Problem {
  /** Deny reasons from policy (`no-permit`, `posture-stale`, …). */
  reasons?: readonly string[];
}

export function gatewayProblem(status: number, reason: string, detail: string, extra: { reasons?: readonly string[]; requestId?: string } = {}): GatewayProblem {
  const code = CODES[status] ?? 'error';
  const p: GatewayProblem = { type: `urn:radgate:problem:${code}`, title: TITLES[status] ?? 'Error', status, code, reason, detail };
  if (extra.reasons) p.reasons = extra.reasons;
  if (extra.requestId) p.requestId = extra.requestId;
  return p;
}

/** Writes the problem unless headers already went out (then the only honest answer is to cut). */
export function sendProblem(res: ServerResponse, problem: GatewayProblem, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
