// Console pages beyond policy versions: overview, explain, devices, users, live sessions, audit.
import type { AuditRow, DeviceRow, UserRow } from '../../store/index.js';
import type { LiveSession } from '../../gateway/sessions/index.js';
import type { AuditVerifyResult } from '../../audit/index.js';
import type { Explanation } from '../../policy/index.js';
import { ACTIONS } from '../../policy/index.js';
import type { AuditQueryInput } from '../auditQuery.js';
import { ActionForm, AdminLayout, when, type AdminLayoutProps } from './Layout.js';

type Frame = Omit<AdminLayoutProps, 'title' | 'children'>;

export function OverviewPage(p: Frame & { active: string | null; proposals: number; liveSessions: number; pendingDevices: number; pendingRequests: number; activeGrants: number; openReviews: number }) {
  return (
    <AdminLayout {...p} title="Overview">
      <ul id="overview">
        <li>{`Active policy version: ${p.active ? p.active.slice(0, 12) : 'none'}`}</li>
        <li>{`Proposals awaiting approval: ${p.proposals}`}</li>
        <li>{`Live data-plane sessions: ${p.liveSessions}`}</li>
        <li>{`Devices awaiting approval: ${p.pendingDevices}`}</li>
        <li>
          <a href="/console/access/requests">{`Access requests awaiting a decision: ${p.pendingRequests}`}</a>
        </li>
        <li>
          <a href="/console/access/grants">{`Active grants: ${p.activeGrants}`}</a>
        </li>
        <li>
          <a href="/console/access/reviews">{`Break-glass grants awaiting review: ${p.openReviews}`}</a>
        </li>
      </ul>
    </AdminLayout>
  );
}

export interface ExplainForm {
  principal: string;
  action: string;
  resource: string;
  context: string;
  entities: string;
}

export function ExplainPage(p: Frame & { form: ExplainForm; result?: Explanation | undefined }) {
  const r = p.result;
  return (
    <AdminLayout {...p} title="Explain a decision">
      <form method="get" action="/console/explain">
        <label for="principal">Principal (e.g. User::"alice")</label>
        <input type="text" id="principal" name="principal" value={p.form.principal} required />
        <label for="action">Action</label>
        <select id="action" name="action">
          {ACTIONS.map((a) => (
            <option value={a} selected={a === p.form.action}>
              {a}
            </option>
          ))}
        </select>
        <label for="resource">Resource (e.g. Study::"1.2.3")</label>
        <input type="text" id="resource" name="resource" value={p.form.resource} required />
        <label for="entities">Entities (JSON array of {'{uid, attrs, parents}'}, principal and resource included)</label>
        <textarea id="entities" name="entities">{p.form.entities}</textarea>
        <label for="context">Context (JSON object)</label>
        <textarea id="context" name="context">{p.form.context}</textarea>
        <button type="submit">Explain</button>
      </form>
      {r ? (
        <section aria-labelledby="result-h">
          <h2 id="result-h">{`Decision: ${r.decision}`}</h2>
          <p id="reasons">{`Reasons: ${r.reasons.join(', ')} (policy set ${r.policyVersion ?? 'none'})`}</p>
          {r.reasons.includes('no-permit') ? <p>No policy permits this request (default deny).</p> : null}
          {r.errors.map((e) => (
            <p class="error">{e}</p>
          ))}
          {r.policies.map((pol) => (
            <article>
              <h3>{`${pol.id} (${pol.effect}) ${pol.file}:${pol.line}`}</h3>
              <pre class="policy">
                <mark>{pol.text}</mark>
              </pre>
            </article>
          ))}
        </section>
      ) : null}
    </AdminLayout>
  );
}

export function DevicesPage(p: Frame & { devices: DeviceRow[] }) {
  return (
    <AdminLayout {...p} title="Devices">
      <table>
        <caption>Enrolled devices</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">State</th>
            <th scope="col">Tier</th>
            <th scope="col">Posture reported</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.devices.map((d) => (
            <tr>
              <td>{d.name}</td>
              <td>{d.userId}</td>
              <td>{d.state}</td>
              <td>{d.tier ?? '–'}</td>
              <td>{when(d.postureAt)}</td>
              <td>
                {p.role === 'admin' && d.state === 'pending' ? <ActionForm action={`/console/devices/${d.id}/approve-form`} csrf={p.csrf} label={`Approve ${d.name}`} /> : null}
                {p.role === 'admin' && d.state !== 'revoked' ? <ActionForm action={`/console/devices/${d.id}/revoke-form`} csrf={p.csrf} label={`Revoke ${d.name}`} secondary /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function UsersPage(p: Frame & { users: UserRow[]; code?: { userId: string; code: string; expiresAt: number } | undefined }) {
  return (
    <AdminLayout {...p} title="Users and keys">
      {p.code ? (
        <p class="note" role="status" id="enrolment-code">
          {`One-time enrolment code for ${p.code.userId} (shown once, valid until ${when(p.code.expiresAt)}): `}
          <span class="code">{p.code.code}</span>
        </p>
      ) : null}
      <table>
        <caption>Users</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Roles</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.users.map((u) => (
            <tr>
              <td>{u.id}</td>
              <td>{u.displayName ?? '–'}</td>
              <td>{u.kind}</td>
              <td>{u.roles}</td>
              <td>{u.disabled ? 'disabled' : 'enabled'}</td>
              <td>
                {p.role === 'admin' && !u.disabled ? <ActionForm action={`/console/users/${u.id}/disable-form`} csrf={p.csrf} label={`Disable ${u.displayName ?? u.id}`} secondary /> : null}
                {p.role === 'admin' ? <ActionForm action={`/console/users/${u.id}/reset-key`} csrf={p.csrf} label={`Reset key of ${u.displayName ?? u.id}`} secondary /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function SessionsPage(p: Frame & { sessions: LiveSession[]; now: number }) {
  return (
    <AdminLayout {...p} title="Live sessions">
      <table>
        <caption>Open data-plane connections</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Gateway</th>
            <th scope="col">Target</th>
            <th scope="col">Since</th>
            <th scope="col">Bytes in / out</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody id="live-sessions">
          {p.sessions.map((s) => (
            <tr>
              <td>{s.userId}</td>
              <td>{s.gateway}</td>
              <td>{s.target}</td>
              <td>{`${when(s.startedAt)} (${Math.round((p.now - s.startedAt) / 1000)} s)`}</td>
              <td>{`${s.bytesIn} / ${s.bytesOut}`}</td>
              <td>{p.role === 'admin' ? <ActionForm action={`/console/sessions/${encodeURIComponent(s.id)}/terminate`} csrf={p.csrf} label="Terminate" secondary /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.sessions.length === 0 ? <p id="no-sessions">No open sessions.</p> : null}
    </AdminLayout>
  );
}

export function AuditPage(p: Frame & { q: AuditQueryInput | undefined; raw: Record<string, string>; rows: AuditRow[]; next: number | undefined; chain?: AuditVerifyResult | undefined }) {
  const field = (name: string, label: string, hint?: string) => (
    <>
      <label for={`q-${name}`}>{label}</label>
      <input type="text" id={`q-${name}`} name={name} value={p.raw[name] ?? ''} placeholder={hint} />
    </>
  );
  const qs = (extra: Record<string, string>) => new URLSearchParams({ ...p.raw, ...extra }).toString();
  return (
    <AdminLayout {...p} title="Audit">
      <section aria-labelledby="chain-h">
        <h2 id="chain-h">Chain</h2>
        {p.chain ? (
          <p id="chain-status" class={p.chain.ok ? 'note' : 'error'}>
            {p.chain.ok
              ? `Verified: ${p.chain.events} events, ${p.chain.checkpointsMatched} signed checkpoints matched, ${p.chain.unanchored} events after the last checkpoint.`
              : `BROKEN at event ${p.chain.firstBadSeq}: ${p.chain.problem} — ${p.chain.message}`}
          </p>
        ) : (
          <p>
            <a href="/console/audit?verify=1">Verify the chain now</a>
          </p>
        )}
      </section>
      <form method="get" action="/console/audit">
        {field('user', 'User id', 'e.g. a user id or system')}
        {field('study', 'Study instance UID')}
        {field('target', 'Target')}
        {field('action', 'Action', 'e.g. dicomweb.retrieve')}
        {field('type', 'Event type', 'e.g. decision, policy.activate')}
        {field('outcome', 'Outcome', 'allow, deny, success, failure, alert, error')}
        {field('since', 'From (UTC)', '2025-03-01 or 2025-03-01T08:00Z')}
        {field('until', 'Until (UTC)')}
        <button type="submit">Search</button>
      </form>
      {p.q ? (
        <>
          <p>
            <a href={`/console/audit/export?${qs({})}`}>Export these results as JSON lines</a>
          </p>
          <table>
            <caption>{`Events ${p.q.since} – ${p.q.until}, newest first`}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Actor</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody id="audit-rows">
              {p.rows.map((r) => (
                <tr>
                  <td>{r.seq}</td>
                  <td>{r.time}</td>
                  <td>{r.type}</td>
                  <td>{r.actor}</td>
                  <td>{r.outcome}</td>
                  <td>
                    <code>{r.detail.length > 400 ? `${r.detail.slice(0, 400)}…` : r.detail}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {p.rows.length === 0 ? <p id="no-results">No events match.</p> : null}
          {p.next ? (
            <p>
              <a href={`/console/audit?${qs({ before: String(p.next) })}`} rel="next">
                Older events
              </a>
            </p>
          ) : null}
        </>
      ) : null}
    </AdminLayout>
  );
}
