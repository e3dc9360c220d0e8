// Server-rendered access pages: pending requests with approve/deny forms, one request,
// and the break-glass form. No client framework; plain forms with the CSRF token.
import type { Child } from 'hono/jsx';
import type { RequestView } from './requests.js';
import type { TargetView } from './targets.js';

function Frame(p: { title: string; who: string; csrf: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · radgate`}</title>
        <link rel="stylesheet" href="/assets/radgate.css" />
      </head>
      <body>
        <header>
          <a href="/" class="brand">
            radgate
          </a>
          <nav aria-label="account">
            <span>{p.who}</span> · <a href="/access/approvals">Approvals</a> · <a href="/access/breakglass">Break-glass</a>
          </nav>
        </header>
        <main>
          <h1>{p.title}</h1>
          {p.children}
        </main>
      </body>
    </html>
  );
}

function Notice(p: { error?: string | undefined; done?: string | undefined }) {
  return (
    <>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      {p.done ? (
        <p class="note" role="status">
          {p.done}
        </p>
      ) : null}
    </>
  );
}

function DecideForms(p: { r: RequestView; csrf: string }) {
  return (
    <>
      <form method="post" action={`/access/approvals/${p.r.id}/approve`} class="inline">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <button type="submit">Approve</button>
      </form>
      <form method="post" action={`/access/approvals/${p.r.id}/deny`} class="inline">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <button type="submit" class="secondary">
          Deny
        </button>
      </form>
    </>
  );
}

export function ApprovalsPage(p: { who: string; csrf: string; requests: RequestView[]; error?: string | undefined; done?: string | undefined }) {
  return (
    <Frame title="Access requests waiting for approval" who={p.who} csrf={p.csrf}>
      <Notice error={p.error} done={p.done} />
      {p.requests.length === 0 ? (
        <p>No pending requests.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Requester</th>
              <th>Target</th>
              <th>Window</th>
              <th>Reason</th>
              <th>Approvals</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {p.requests.map((r) => (
              <tr>
                <td>{`${r.requesterId} (${r.requesterOrg || 'no organisation'})`}</td>
                <td>{r.target}</td>
                <td>{`${r.startAt} – ${r.endAt}`}</td>
                <td>{r.ticket ? `${r.reason} [${r.ticket}]` : r.reason}</td>
                <td>{`${r.approvals.filter((a) => a.decision === 'approve').length} of ${r.approvalsNeeded}`}</td>
                <td>
                  <a href={`/access/approvals/${r.id}`}>Open</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Frame>
  );
}

export function RequestPage(p: { who: string; csrf: string; r: RequestView; canDecide: boolean; error?: string | undefined; done?: string | undefined }) {
  const r = p.r;
  return (
    <Frame title={`Access request ${r.id}`} who={p.who} csrf={p.csrf}>
      <Notice error={p.error} done={p.done} />
      <dl>
        <dt>Requester</dt>
        <dd>{`${r.requesterId} (${r.requesterOrg || 'no organisation'})`}</dd>
        <dt>Target</dt>
        <dd>{r.target}</dd>
        <dt>Window</dt>
        <dd>{`${r.startAt} – ${r.endAt}`}</dd>
        <dt>Reason</dt>
        <dd>{r.reason}</dd>
        <dt>Ticket</dt>
        <dd>{r.ticket ?? '–'}</dd>
        <dt>State</dt>
        <dd>{r.state}</dd>
        <dt>Approvals</dt>
        <dd>{`${r.approvals.filter((a) => a.decision === 'approve').length} of ${r.approvalsNeeded}${r.approvals.length ? ` (${r.approvals.map((a) => `${a.approverId}: ${a.decision}`).join(', ')})` : ''}`}</dd>
      </dl>
      {r.state === 'pending' && p.canDecide ? <DecideForms r={r} csrf={p.csrf} /> : null}
    </Frame>
  );
}

export function BreakGlassPage(p: { who: string; csrf: string; targets: TargetView[]; error?: string | undefined; done?: string | undefined }) {
  return (
    <Frame title="Break-glass access" who={p.who} csrf={p.csrf}>
      <Notice error={p.error} done={p.done} />
      <p class="error">
        Emergency access without approval. It is recorded, announced to the security team at once, and reviewed afterwards.
      </p>
      <form method="post" action="/access/breakglass/form">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <label for="target">Target</label>
        <select id="target" name="target">
          {p.targets.map((t) => (
            <option value={t.name}>{t.name}</option>
          ))}
        </select>
        <label for="reason">What is the emergency?</label>
        <input type="text" id="reason" name="reason" required minlength={10} maxlength={500} />
        <p>
          <button type="submit">Open break-glass access</button>
        </p>
      </form>
    </Frame>
  );
}
