// The page frame shared by every server-rendered identity page: no client framework,
// one stylesheet, scripts only from 'self'.
import type { Child } from 'hono/jsx';

export interface LayoutProps {
  title: string;
  children?: Child;
  /** Signed-in user's display name, for the header. */
  who?: string | null;
  csrf?: string | null;
  scripts?: string[];
}

export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · radgate`}</title>
        <link rel="stylesheet" href="/assets/radgate.css" />
        {props.csrf ? <meta name="csrf-token" content={props.csrf} /> : null}
      </head>
      <body>
        <header>
          <a href="/" class="brand">
            radgate
          </a>
          {props.who ? (
            <nav aria-label="account">
              <span>{props.who}</span> · <a href="/me/keys">My keys</a> · <a href="/me/sessions">My sessions</a>
              {props.csrf ? (
                <form method="post" action="/auth/logout" class="inline">
                  <input type="hidden" name="_csrf" value={props.csrf} />
                  <button type="submit">Sign out</button>
                </form>
              ) : null}
            </nav>
          ) : null}
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
        {(props.scripts ?? []).map((s) => (
          <script src={s} defer></script>
        ))}
      </body>
    </html>
  );
}

export const CSS = `
body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9;line-height:1.45}
header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1.2rem;background:#17324d;color:#fff}
header a{color:#fff}.brand{font-weight:700;text-decoration:none;font-size:1.2rem}
main{max-width:46rem;margin:1.5rem auto;padding:0 1rem}
form.inline{display:inline;margin-left:.6rem}
button,.button{font:inherit;padding:.45rem .9rem;border-radius:.3rem;border:1px solid #17324d;background:#17324d;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#17324d}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}
.error{background:#fde8e8;border:1px solid #c53030;padding:.6rem;border-radius:.3rem}
.note{background:#eef4fb;border:1px solid #9bb7d4;padding:.6rem;border-radius:.3rem}
label{display:block;margin:.5rem 0 .2rem}input[type=text]{font:inherit;padding:.35rem;width:16rem}
.code{font-family:ui-monospace,monospace;font-size:1.6rem;letter-spacing:.15rem}
`;
