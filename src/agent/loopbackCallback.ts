// RFC 8252 7.3: the agent's redirect target, an HTTP listener on 127.0.0.1 and an
// ephemeral port that takes exactly one authorization response with the expected state,
// then answers the browser once the login finished.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentError } from './AgentError.js';

export const CALLBACK_PATH = '/callback';

export interface LoopbackCallback {
  redirectUri: string;
  /** Resolves with the code of the first callback whose state matches; rejects on a mismatch, an error response or the timeout. */
  code: Promise<string>;
  /** Answers the waiting browser (if any) and stops listening. */
  finish(outcome: { ok: boolean; message: string }): Promise<void>;
}

export async function startLoopbackCallback(o: { state: string; timeoutMs: number }): Promise<LoopbackCallback> {
  let settled = false;
  let pending: ServerResponse | undefined;
  let resolveCode!: (code: string) => void;
  let rejectCode!: (err: AgentError) => void;
  const code = new Promise<string>((resolve, reject) => {
    resolveCode = resolve;
    rejectCode = reject;
  });
  // Callers await `code`; a rejection before they do must not be reported as unhandled.
  code.catch(() => undefined);

  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    // A page elsewhere in the browser reaching us through DNS rebinding names another host.
    if (req.headers.host !== `127.0.0.1:${port}`) return page(res, 400, 'Bad request', 'Unexpected Host header.');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found', 'This is the radgate agent waiting for a sign-in.');
    if (settled) return page(res, 410, 'Already used', 'This sign-in has already been handled. Return to your terminal.');
    settled = true;
    handleCallback(req, res, url);
  });

  function handleCallback(_req: IncomingMessage, res: ServerResponse, url: URL) {
    const state = url.searchParams.get('state') ?? '';
    if (!sameState(state, o.state)) {
      page(res, 400, 'Sign-in refused', 'The response did not match the sign-in this terminal started. Nothing was changed. Return to your terminal and try again.');
      rejectCode(new AgentError('state-mismatch', 'the browser returned a response for a different sign-in (state mismatch); refused'));
      return;
    }
    const error = url.searchParams.get('error');
    if (error) {
      page(res, 400, 'Sign-in cancelled', 'The sign-in was not approved. You can close this tab.');
      rejectCode(new AgentError('access-denied', `the broker returned ${error.slice(0, 64)}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')?.slice(0, 200)}` : ''}`));
      return;
    }
    const c = url.searchParams.get('code');
    if (!c) {
      page(res, 400, 'Sign-in failed', 'The response carried no authorization code. Return to your terminal.');
      rejectCode(new AgentError('protocol', 'the authorization response carried no code'));
      return;
    }
    pending = res;
    resolveCode(c);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new AgentError('network', `cannot listen on 127.0.0.1: ${err.message}`, { cause: err })));
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(() => {
    if (settled) return;
    settled = true;
    rejectCode(new AgentError('timeout', `no sign-in arrived within ${Math.round(o.timeoutMs / 1000)} seconds`));
  }, o.timeoutMs);
  const port = (server.address() as AddressInfo).port;

  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    code,
    async finish(outcome) {
      clearTimeout(timer);
      settled = true;
      if (pending) {
        page(pending, outcome.ok ? 200 : 400, outcome.ok ? 'Signed in' : 'Sign-in failed', outcome.message);
        pending = undefined;
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
    },
  };
}

function sameState(got: string, want: string): boolean {
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>radgate: ${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:32em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    // The URL carries the authorization code: it must not leak as a referrer.
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(body);
}
