// HTML of the dev IdP's own pages. Every page opens with the same unmissable heading.
import type { DevIdpUser } from './demoUsers.js';

export const DEV_IDP_HEADING = 'DEVELOPMENT IDENTITY PROVIDER — not for real patients or real credentials';

/** No scripts, no external fonts, no framing. */
export const DEV_IDP_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} — radgate DEV IdP</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#fff8e1;color:#1a1a1a}
header{background:#b71c1c;color:#fff;padding:24px 32px}
h1#dev-idp-banner{font-size:2.75rem;line-height:1.15;margin:0;letter-spacing:.01em}
main{max-width:760px;margin:24px auto;padding:0 24px}
form.user{margin:0 0 12px}
button{font-size:1.1rem;padding:12px 16px;width:100%;text-align:left;cursor:pointer;border:2px solid #b71c1c;background:#fff;border-radius:6px}
button:hover{background:#ffebee}
button.secondary{border-color:#777;text-align:center}
.muted{color:#555}
pre{white-space:pre-wrap;word-break:break-word}
</style>
</head>
<body>
<header><h1 id="dev-idp-banner">${escapeHtml(DEV_IDP_HEADING)}</h1></header>
<main>
${body}
</main>
</body>
</html>`;
}

export function loginPage(input: { action: string; abortAction: string; clientName: string; users: readonly DevIdpUser[]; error?: string }): string {
  const buttons = input.users
    .map(
      (u) => `<form class="user" method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="user" value="${escapeHtml(u.sub)}">
<button type="submit" name="sign-in" value="${escapeHtml(u.sub)}"><strong>Sign in as ${escapeHtml(u.name)}</strong><br><span class="muted">${escapeHtml(u.description)} · ${escapeHtml(u.email)}</span></button>
</form>`,
    )
    .join('\n');
  return layout(
    'Sign in',
    `<h2>Sign in to ${escapeHtml(input.clientName)}</h2>
<p>This identity provider signs in demo users with one click. It exists for development and demonstrations on this machine only.</p>
${input.error ? `<p role="alert"><strong>${escapeHtml(input.error)}</strong></p>` : ''}
${buttons}
<form method="post" action="${escapeHtml(input.abortAction)}"><button class="secondary" type="submit">Cancel</button></form>`,
  );
}

export function logoutPage(host: string, form: string): string {
  // `form` is oidc-provider's own hidden form (carries its xsrf token).
  return layout(
    'Sign out',
    `<h2>Sign out of ${escapeHtml(host)}?</h2>
${form}
<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></p>
<p><button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button></p>`,
  );
}

export function loggedOutPage(): string {
  return layout('Signed out', '<h2>You are signed out of the development IdP.</h2>');
}

export function errorPage(out: Record<string, unknown>): string {
  const rows = Object.entries(out)
    .map(([k, v]) => `<pre><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</pre>`)
    .join('');
  return layout('Error', `<h2>Something went wrong</h2>${rows}`);
}
