// The admin console's page frame: navigation, one stylesheet from 'self', no scripts.
// Every page works without JavaScript.
import type { Child } from 'hono/jsx';

export interface AdminLayoutProps {
  title: string;
  who: string;
  csrf: string;
  role: 'admin' | 'auditor';
  children?: Child;
  notice?: string | undefined;
  error?: string | undefined;
}

const NAV: [string, string][] = [
  ['/console', 'Overview'],
  ['/console/policy', 'Policy versions'],
  ['/console/explain', 'Explain'],
  ['/console/access/requests', 'Access requests'],
  ['/console/access/grants', 'Grants'],
  ['/console/access/reviews', 'Break-glass reviews'],
  ['/console/devices', 'Devices'],
  ['/console/users', 'Users and keys'],
  ['/console/sessions', 'Live sessions'],
  ['/console/audit', 'Audit'],
];

export function AdminLayout(p: AdminLayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · radgate admin`}</title>
        <link rel="stylesheet" href="/assets/radgate.css" />
        <link rel="stylesheet" href="/console/assets/admin.css" />
      </head>
      <body>
        <header>
          <a href="/console" class="brand">
            radgate admin
          </a>
          <nav aria-label="account">
            <span id="who">{`${p.who} (${p.role === 'admin' ? 'administrator' : 'auditor, read-only'})`}</span>
            <form method="post" action="/auth/logout" class="inline">
              <input type="hidden" name="_csrf" value={p.csrf} />
              <button type="submit">Sign out</button>
            </form>
          </nav>
        </header>
        <nav aria-label="console" class="console-nav">
          <ul>
            {NAV.map(([href, label]) => (
              <li>
                <a href={href}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main>
          <h1>{p.title}</h1>
          {p.error ? (
            <p class="error" role="alert" id="error">
              {p.error}
            </p>
          ) : null}
          {p.notice ? (
            <p class="note" role="status" id="notice">
              {p.notice}
            </p>
          ) : null}
          {p.children}
        </main>
      </body>
    </html>
  );
}

/** A POST form with the CSRF token; `confirm` is the button text. */
export function ActionForm(p: { action: string; csrf: string; label: string; children?: Child; secondary?: boolean }) {
  return (
    <form method="post" action={p.action} class="action">
      <input type="hidden" name="_csrf" value={p.csrf} />
      {p.children}
      <button type="submit" class={p.secondary ? 'secondary' : undefined}>
        {p.label}
      </button>
    </form>
  );
}

export function when(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export const ADMIN_CSS = `
main{max-width:72rem}
.console-nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:.5rem 1.2rem;background:#e4eaf1}
.console-nav a{color:#17324d;font-weight:600}
pre.policy{background:#fff;border:1px solid #ccc;padding:.5rem;overflow:auto;font-size:.85rem}
pre.policy mark{background:#fff3b0}
.diff .add{background:#e6ffed;display:block}.diff .del{background:#ffeef0;display:block}.diff .ctx{display:block;color:#555}
textarea{font-family:ui-monospace,monospace;width:100%;min-height:14rem}
textarea.note-input{min-height:4rem;font-family:inherit}
form.action{display:inline-block;margin:.3rem .3rem .3rem 0}
.state-active{font-weight:700;color:#0a6b2d}.state-proposed{color:#8a5a00}
td code{font-size:.85rem}
fieldset{border:1px solid #ccc;margin:.6rem 0}
`;
