// Policy version pages: list, one version with its diff and approval, propose, impact.
import type { DiffLine, FailedTest, ImpactReport, PolicyIssue, VersionDiff, VersionView } from '../../policy/index.js';
import { ActionForm, AdminLayout, when, type AdminLayoutProps } from './Layout.js';

type Frame = Omit<AdminLayoutProps, 'title' | 'children'>;

export function VersionsPage(p: Frame & { versions: VersionView[] }) {
  return (
    <AdminLayout {...p} title="Policy versions">
      <p>
        The active policy set is one version; a change is a proposal that another administrator approves with a fresh security-key
        confirmation. {p.role === 'admin' ? <a href="/console/policy/propose">Propose a change</a> : null}
      </p>
      <table>
        <caption>Versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Author</th>
            <th scope="col">Message</th>
            <th scope="col">Created</th>
            <th scope="col">Approved by</th>
          </tr>
        </thead>
        <tbody>
          {p.versions.map((v) => (
            <tr>
              <td>
                <a href={`/console/policy/versions/${v.id}`}>
                  <code>{v.short}</code>
                </a>
              </td>
              <td class={`state-${v.state}`}>{v.state}</td>
              <td>{v.author}</td>
              <td>{v.message}</td>
              <td>{when(v.createdAt)}</td>
              <td>{v.approvedBy ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function DiffView(p: { diff: VersionDiff; against: string | null }) {
  const { diff } = p;
  if (diff.policies.length === 0 && diff.files.length === 0) return <p>No differences{p.against ? ` from ${p.against.slice(0, 12)}` : ''}.</p>;
  return (
    <section aria-labelledby="diff-h">
      <h2 id="diff-h">{p.against ? `Changes against ${p.against.slice(0, 12)}` : 'Contents'}</h2>
      <p id="diff-summary">
        {`${diff.summary.added.length} added, ${diff.summary.changed.length} changed, ${diff.summary.removed.length} removed policies; ${diff.files.length} other files changed`}
      </p>
      {diff.policies.map((c) => (
        <article>
          <h3>{`${c.change}: ${c.id} (${c.effect}, ${c.file})`}</h3>
          <Lines lines={c.lines} />
        </article>
      ))}
      {diff.files.map((f) => (
        <article>
          <h3>{`${f.change}: ${f.name}`}</h3>
          <Lines lines={f.lines} />
        </article>
      ))}
    </section>
  );
}

function Lines(p: { lines: DiffLine[] }) {
  return (
    <pre class="policy diff">
      {p.lines.map((l) => (
        <span class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx'}>{`${l.op} ${l.text}`}</span>
      ))}
    </pre>
  );
}

export function VersionPage(p: Frame & { v: VersionView; diff: VersionDiff; against: string | null; emergency: boolean }) {
  const { v } = p;
  return (
    <AdminLayout {...p} title={`Policy version ${v.short}`}>
      <dl>
        <dt>State</dt>
        <dd class={`state-${v.state}`} id="state">
          {v.state}
        </dd>
        <dt>Author</dt>
        <dd id="author">{v.author}</dd>
        <dt>Message</dt>
        <dd>{v.message}</dd>
        <dt>Created</dt>
        <dd>{when(v.createdAt)}</dd>
        <dt>Approved by</dt>
        <dd id="approved-by">{v.approvedBy ?? '–'}</dd>
        <dt>Full id</dt>
        <dd>
          <code>{v.id}</code>
        </dd>
      </dl>
      {v.state === 'proposed' ? (
        <section aria-labelledby="approve-h">
          <h2 id="approve-h">Approval</h2>
          <p>Another administrator than the author approves; you will be asked to confirm with your security key if your last confirmation is old.</p>
          <p>
            <a href={`/console/policy/versions/${v.id}/impact`}>Preview the impact on recent decisions</a>
          </p>
          {p.role === 'admin' ? <ActionForm action={`/console/policy/versions/${v.id}/approve`} csrf={p.csrf} label="Approve and activate" /> : null}
        </section>
      ) : null}
      {v.state === 'superseded' && v.activatedAt !== null && p.role === 'admin' ? (
        <section aria-labelledby="rollback-h">
          <h2 id="rollback-h">Roll back to this version</h2>
          <ActionForm action={`/console/policy/versions/${v.id}/rollback`} csrf={p.csrf} label="Propose rollback" secondary />
          {p.emergency ? (
            <ActionForm action={`/console/policy/versions/${v.id}/emergency-rollback`} csrf={p.csrf} label="Emergency rollback now (alone)">
              <label for="reason">Reason (goes to the review queue and the webhook)</label>
              <input type="text" id="reason" name="reason" required maxlength={1000} />
            </ActionForm>
          ) : null}
        </section>
      ) : null}
      <DiffView diff={p.diff} against={p.against} />
    </AdminLayout>
  );
}

export function ProposePage(p: Frame & { files: string[]; message?: string; name?: string; text?: string; issues?: readonly PolicyIssue[]; failedTests?: readonly FailedTest[] }) {
  return (
    <AdminLayout {...p} title="Propose a policy change">
      {p.issues && p.issues.length > 0 ? (
        <section aria-labelledby="issues-h" class="error">
          <h2 id="issues-h">Policy errors</h2>
          <ul id="issues">
            {p.issues.map((i) => (
              <li>{`${i.file}:${i.line}:${i.col}: ${i.message}`}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {p.failedTests && p.failedTests.length > 0 ? (
        <section aria-labelledby="tests-h" class="error">
          <h2 id="tests-h">Failing policy tests</h2>
          <ul id="failed-tests">
            {p.failedTests.map((t) => (
              <li>{`${t.file} ${t.name}: ${t.message}`}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>The proposal is the active set with your files added or replaced. It is validated against the schema and must pass the policy tests.</p>
      <form method="post" action="/console/policy/propose" enctype="multipart/form-data">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <label for="message">What and why (shown to the approver)</label>
        <input type="text" id="message" name="message" required maxlength={1000} value={p.message ?? ''} />
        <fieldset>
          <legend>Edit one file</legend>
          <label for="name">File name (e.g. maintenance.cedar, or tests/maintenance.yaml); existing: {p.files.join(', ')}</label>
          <input type="text" id="name" name="name" value={p.name ?? ''} />
          <label for="text">Contents</label>
          <textarea id="text" name="text">{p.text ?? ''}</textarea>
        </fieldset>
        <fieldset>
          <legend>Or upload files</legend>
          <label for="upload">.cedar, .cedarschema or .yaml test tables</label>
          <input type="file" id="upload" name="upload" multiple accept=".cedar,.cedarschema,.yaml,.yml" />
        </fieldset>
        <button type="submit">Propose</button>
      </form>
    </AdminLayout>
  );
}

export function ImpactPage(p: Frame & { v: VersionView; r: ImpactReport; days: number }) {
  const { r } = p;
  const list = (title: string, id: string, rows: [string, number][]) => (
    <section aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{title}</h3>
      {rows.length === 0 ? (
        <p>None.</p>
      ) : (
        <ol id={id}>
          {rows.map(([k, n]) => (
            <li>{`${k}: ${n}`}</li>
          ))}
        </ol>
      )}
    </section>
  );
  return (
    <AdminLayout {...p} title={`Impact of ${p.v.short}`}>
      <form method="get" action={`/console/policy/versions/${p.v.id}/impact`}>
        <label for="days">Days of decisions to replay (1-90)</label>
        <input type="text" id="days" name="days" value={String(p.days)} inputmode="numeric" />
        <button type="submit">Replay</button>
      </form>
      <p id="impact-summary">{`Replayed ${r.replayed} of ${r.decisions} decisions since ${r.since}: ${r.newlyDenied} would be newly denied, ${r.newlyAllowed} newly allowed; ${r.notReplayable} could not be replayed (no stored facts).`}</p>
      {r.approximate ? <p class="note">Many distinct principals or resources: the top lists are approximate.</p> : null}
      <table>
        <caption>Per action</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Decisions</th>
            <th scope="col">Newly allowed</th>
            <th scope="col">Newly denied</th>
            <th scope="col">Not replayable</th>
          </tr>
        </thead>
        <tbody id="by-action">
          {r.byAction.map((a) => (
            <tr>
              <td>{a.action}</td>
              <td>{a.decisions}</td>
              <td>{a.newlyAllowed}</td>
              <td>{a.newlyDenied}</td>
              <td>{a.notReplayable}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list('Principals newly denied', 'principals-denied', r.top.principalsNewlyDenied)}
      {list('Resources newly denied', 'resources-denied', r.top.resourcesNewlyDenied)}
      {list('Principals newly allowed', 'principals-allowed', r.top.principalsNewlyAllowed)}
      {list('Resources newly allowed', 'resources-allowed', r.top.resourcesNewlyAllowed)}
      <p>
        <a href={`/console/policy/versions/${p.v.id}`}>Back to the version</a>
      </p>
    </AdminLayout>
  );
}
