// Console pages of the access module: access requests (approve / deny), grants (revoke with
// a reason) and the break-glass review queue. Administrators get the forms; auditors see the
// same lists without them (and the routes refuse their posts anyway).
import type { GrantView, RequestView, ReviewView } from '../../access/index.js';
import { ActionForm, AdminLayout, type AdminLayoutProps } from './Layout.js';

type Frame = Omit<AdminLayoutProps, 'title' | 'children'>;

const at = (iso: string | null): string => (iso === null ? '–' : iso.replace('T', ' ').slice(0, 19) + 'Z');
const path = (base: string, id: string, verb: string) => `${base}/${encodeURIComponent(id)}/${verb}`;

/** Whole seconds a grant still has, or '–' when it is not live. */
export function secondsLeft(g: Pick<GrantView, 'live' | 'endAt'>, now: number): string {
  return g.live ? String(Math.max(0, Math.floor((Date.parse(g.endAt) - now) / 1000))) : '–';
}

function RequestRows(p: { requests: RequestView[]; csrf: string; admin: boolean; id: string }) {
  return (
    <tbody id={p.id}>
      {p.requests.map((r) => (
        <tr data-request={r.id}>
          <td>
            <code>{r.id}</code>
          </td>
          <td>{`${r.requesterId} (${r.requesterOrg || 'no organisation'})`}</td>
          <td>{r.target}</td>
          <td>{`${at(r.startAt)} – ${at(r.endAt)}`}</td>
          <td>{r.ticket ? `${r.reason} [${r.ticket}]` : r.reason}</td>
          <td>{`${r.approvals.filter((a) => a.decision === 'approve').length} of ${r.approvalsNeeded}${r.approvals.length ? `: ${r.approvals.map((a) => `${a.approverId} ${a.decision}`).join(', ')}` : ''}`}</td>
          <td class="state">{r.state}</td>
          <td>
            {p.admin && r.state === 'pending' ? (
              <>
                <ActionForm action={path('/console/access/requests', r.id, 'approve')} csrf={p.csrf} label={`Approve ${r.id}`} />
                <ActionForm action={path('/console/access/requests', r.id, 'deny')} csrf={p.csrf} label={`Deny ${r.id}`} secondary />
              </>
            ) : null}
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function RequestTable(p: { caption: string; requests: RequestView[]; csrf: string; admin: boolean; id: string }) {
  return (
    <table>
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Request</th>
          <th scope="col">Requester</th>
          <th scope="col">Target</th>
          <th scope="col">Window (UTC)</th>
          <th scope="col">Reason</th>
          <th scope="col">Approvals</th>
          <th scope="col">State</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <RequestRows requests={p.requests} csrf={p.csrf} admin={p.admin} id={p.id} />
    </table>
  );
}

export function RequestsPage(p: Frame & { pending: RequestView[]; recent: RequestView[] }) {
  const admin = p.role === 'admin';
  return (
    <AdminLayout {...p} title="Access requests">
      <p>Approving or denying needs a fresh security-key confirmation. Nobody approves their own request, and a vendor's request is never approved by a colleague from the same vendor (separation of duties).</p>
      <RequestTable caption="Pending requests" requests={p.pending} csrf={p.csrf} admin={admin} id="pending-requests" />
      {p.pending.length === 0 ? <p id="no-pending">No requests are waiting for a decision.</p> : null}
      <RequestTable caption="Recent decisions" requests={p.recent} csrf={p.csrf} admin={false} id="recent-requests" />
    </AdminLayout>
  );
}

function GrantTable(p: { caption: string; grants: GrantView[]; csrf: string; admin: boolean; now: number; id: string }) {
  return (
    <table>
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Grant</th>
          <th scope="col">User</th>
          <th scope="col">Target</th>
          <th scope="col">Kind</th>
          <th scope="col">Start (UTC)</th>
          <th scope="col">End (UTC)</th>
          <th scope="col">Seconds left</th>
          <th scope="col">State</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody id={p.id}>
        {p.grants.map((g) => (
          <tr data-grant={g.id}>
            <td>
              <code>{g.id}</code>
            </td>
            <td>{g.userId}</td>
            <td>{g.target}</td>
            <td class="kind">{g.breakGlass ? `break-glass${g.reviewedAt ? ' (reviewed)' : ' (awaiting review)'}` : `request ${g.requestId ?? ''}`}</td>
            <td>{at(g.startAt)}</td>
            <td>{at(g.endAt)}</td>
            <td class="seconds-left">{secondsLeft(g, p.now)}</td>
            <td class="state">{g.state === 'revoked' ? `revoked by ${g.revokedBy ?? '?'}: ${g.revokeReason ?? ''}` : g.state}</td>
            <td>
              {p.admin && g.state === 'active' ? (
                <ActionForm action={path('/console/access/grants', g.id, 'revoke')} csrf={p.csrf} label={`Revoke ${g.id}`} secondary>
                  <label for={`reason-${g.id}`}>{`Reason for revoking ${g.id}`}</label>
                  <input type="text" id={`reason-${g.id}`} name="reason" maxlength={500} required />
                </ActionForm>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GrantsPage(p: Frame & { active: GrantView[]; recent: GrantView[]; now: number }) {
  const admin = p.role === 'admin';
  return (
    <AdminLayout {...p} title="Grants">
      <p>Revoking ends the grant at once: its live tunnels are cut and its certificates revoked. It needs a fresh security-key confirmation and a reason.</p>
      <GrantTable caption="Active grants" grants={p.active} csrf={p.csrf} admin={admin} now={p.now} id="active-grants" />
      {p.active.length === 0 ? <p id="no-active">No active grants.</p> : null}
      <GrantTable caption="Recently ended or revoked" grants={p.recent} csrf={p.csrf} admin={false} now={p.now} id="recent-grants" />
    </AdminLayout>
  );
}

export function ReviewsPage(p: Frame & { open: ReviewView[]; reviewed: GrantView[]; now: number }) {
  const admin = p.role === 'admin';
  return (
    <AdminLayout {...p} title="Break-glass review queue">
      <p>Every break-glass grant waits here until an administrator other than the person who invoked it records what was checked.</p>
      <table>
        <caption>Awaiting review</caption>
        <thead>
          <tr>
            <th scope="col">Invoked (UTC)</th>
            <th scope="col">Summary</th>
            <th scope="col">Grant</th>
            <th scope="col">State</th>
            <th scope="col">Review</th>
          </tr>
        </thead>
        <tbody id="open-reviews">
          {p.open.map((r) => (
            <tr data-review={r.id} data-grant={r.subjectId}>
              <td>{at(r.createdAt)}</td>
              <td>{r.summary}</td>
              <td>
                <code>{r.subjectId}</code>
                {r.grant ? ` ${r.grant.userId} on ${r.grant.target}, ${at(r.grant.startAt)} – ${at(r.grant.endAt)}` : ''}
              </td>
              <td>{r.grant ? (r.grant.live ? `live, ${secondsLeft(r.grant, p.now)} s left` : r.grant.state) : '–'}</td>
              <td>
                {admin ? (
                  <ActionForm action={`/console/access/reviews/${encodeURIComponent(r.id)}`} csrf={p.csrf} label={`Record review of ${r.subjectId}`}>
                    <label for={`note-${r.id}`}>{`What was checked (${r.subjectId})`}</label>
                    <textarea id={`note-${r.id}`} name="note" maxlength={2000} required class="note-input"></textarea>
                  </ActionForm>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.open.length === 0 ? <p id="queue-empty">Nothing awaits review.</p> : null}
      <table>
        <caption>Reviewed break-glass grants</caption>
        <thead>
          <tr>
            <th scope="col">Grant</th>
            <th scope="col">User</th>
            <th scope="col">Target</th>
            <th scope="col">Reason</th>
            <th scope="col">Reviewed (UTC)</th>
          </tr>
        </thead>
        <tbody id="reviewed">
          {p.reviewed.map((g) => (
            <tr data-grant={g.id}>
              <td>
                <code>{g.id}</code>
              </td>
              <td>{g.userId}</td>
              <td>{g.target}</td>
              <td>{g.reason ?? ''}</td>
              <td>{at(g.reviewedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}
