// The dev IdP's interaction endpoints (oidc-provider's devInteractions replaced):
//   GET  <mount>/interaction/:uid         the sign-in page (one button per demo user)
//   POST <mount>/interaction/:uid/login   finishes the login as the chosen demo user
//   POST <mount>/interaction/:uid/abort   access_denied back to the client
// Consent is granted automatically by the provider's loadExistingGrant (first-party demo).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import type { DevIdpUser } from './demoUsers.js';
import { DEV_IDP_CSP, errorPage, loginPage } from './pages.js';

const MAX_FORM_BYTES = 4096;

export interface InteractionContext {
  provider: Provider;
  mountPath: string;
  users: ReadonlyMap<string, DevIdpUser>;
}

/** Handles the request when it is an interaction route; false otherwise. */
export async function handleInteraction(ctx: InteractionContext, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  const prefix = `${ctx.mountPath}/interaction/`;
  if (!pathname.startsWith(prefix)) return false;
  const [uid, action, ...rest] = pathname.slice(prefix.length).split('/');
  if (!uid || rest.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(uid)) return notFound(res);

  try {
    const details = await ctx.provider.interactionDetails(req, res);
    // The uid in the path must be the one bound to this browser's interaction cookie.
    if (details.uid !== uid) return send(res, 400, errorPage({ error: 'invalid_request', error_description: 'interaction mismatch' }));

    if (action === undefined && req.method === 'GET') {
      const clientName = typeof details.params.client_id === 'string' ? details.params.client_id : 'the application';
      return send(res, 200, page(ctx, uid, clientName));
    }
    if (action === 'login' && req.method === 'POST') {
      const form = await readForm(req);
      const user = ctx.users.get(form.get('user') ?? '');
      if (!user) return send(res, 400, page(ctx, uid, 'the application', 'Unknown demo user.'));
      await ctx.provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
      return true;
    }
    if (action === 'abort' && req.method === 'POST') {
      await ctx.provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'the user cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    return notFound(res);
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    return send(res, 400, errorPage({ error: name === 'SessionNotFound' ? 'session_not_found' : 'invalid_request', error_description: 'the sign-in attempt is unknown or expired' }));
  }
}

function page(ctx: InteractionContext, uid: string, clientName: string, error?: string): string {
  const base = `${ctx.mountPath}/interaction/${uid}`;
  return loginPage({ action: `${base}/login`, abortAction: `${base}/abort`, clientName, users: [...ctx.users.values()], ...(error ? { error } : {}) });
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) return reject(new Error('expected a form'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        req.destroy();
        reject(new Error('form too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, html: string): true {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', DEV_IDP_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(html);
  return true;
}

function notFound(res: ServerResponse): true {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('not found');
  return true;
}
