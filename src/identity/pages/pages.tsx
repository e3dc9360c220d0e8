// Server-rendered identity pages: sign-in, security key ceremonies, my keys, my sessions,
// and the agent sign-in confirmations. Accessible forms; JavaScript only for WebAuthn.
import { Layout } from './Layout.js';

export interface IdpChoice {
  name: string;
  displayName: string;
  dev: boolean;
}

export function SignInPage(p: { idps: IdpChoice[]; returnTo: string; error?: string | undefined }) {
  return (
    <Layout title="Sign in">
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <p>Sign in with your organisation's identity provider, then confirm with your security key.</p>
      {p.idps.length === 0 ? <p class="error">No identity provider is configured.</p> : null}
      <ul>
        {p.idps.map((i) => (
          <li>
            <a class="button" href={`/auth/login?idp=${encodeURIComponent(i.name)}&return_to=${encodeURIComponent(p.returnTo)}`}>
              {`Sign in with ${i.displayName}`}
            </a>
            {i.dev ? <strong> (development IdP: demo users only)</strong> : null}
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export type KeyCeremony = 'register' | 'authenticate' | 'step-up';

export function KeyPage(p: { mode: KeyCeremony; who: string; csrf: string; returnTo: string; needCode: boolean; error?: string | undefined }) {
  const title = p.mode === 'register' ? 'Register your security key' : p.mode === 'step-up' ? 'Confirm it is you' : 'Use your security key';
  return (
    <Layout title={title} who={p.who} csrf={p.csrf} scripts={['/assets/simplewebauthn-browser.js', '/assets/radgate-webauthn.js']}>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <p>
        {p.mode === 'register'
          ? 'radgate needs a security key for every sign-in. Insert your key and press the button; name it so you can tell your keys apart.'
          : p.mode === 'step-up'
            ? 'This action needs a fresh confirmation with your security key.'
            : 'Insert your security key and press the button.'}
      </p>
      <form id="webauthn" data-mode={p.mode} data-return-to={p.returnTo}>
        {p.mode === 'register' ? (
          <>
            <label for="key-name">Key name</label>
            <input type="text" id="key-name" name="name" maxlength={64} value="Security key" />
            {p.needCode ? (
              <>
                <label for="enrolment-code">Enrolment code from your administrator</label>
                <input type="text" id="enrolment-code" name="enrolmentCode" autocomplete="one-time-code" required />
              </>
            ) : null}
          </>
        ) : null}
        <p>
          <button type="submit" id="webauthn-start">
            {p.mode === 'register' ? 'Register security key' : 'Use security key'}
          </button>
        </p>
        <p id="webauthn-status" role="status" aria-live="polite"></p>
      </form>
    </Layout>
  );
}

export function HomePage(p: { who: string; csrf: string; kind: string; roles: string[]; idp: string }) {
  return (
    <Layout title="Signed in" who={p.who} csrf={p.csrf}>
      <p id="signed-in">
        You are signed in as <strong>{p.who}</strong> ({p.kind}; roles: {p.roles.length ? p.roles.join(', ') : 'none'}) through <em>{p.idp}</em> and
        your security key.
      </p>
      <ul>
        <li>
          <a href="/me/keys">My security keys</a>
        </li>
        <li>
          <a href="/me/sessions">My sessions</a>
        </li>
      </ul>
    </Layout>
  );
}

export interface KeyRow {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  locked: boolean;
}

export function KeysPage(p: { who: string; csrf: string; keys: KeyRow[]; notice?: string | undefined }) {
  return (
    <Layout title="My security keys" who={p.who} csrf={p.csrf}>
      {p.notice ? (
        <p class="note" role="status">
          {p.notice}
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Added</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.keys.map((k) => (
            <tr>
              <td>
                {k.name}
                {k.locked ? <strong> (locked)</strong> : null}
              </td>
              <td>{new Date(k.createdAt).toISOString().slice(0, 16).replace('T', ' ')}</td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toISOString().slice(0, 16).replace('T', ' ') : 'never'}</td>
              <td>
                <form method="post" action={`/me/keys/${encodeURIComponent(k.id)}/rename`} class="inline">
                  <input type="hidden" name="_csrf" value={p.csrf} />
                  <label for={`name-${k.id}`} class="visually-hidden">
                    New name
                  </label>
                  <input type="text" id={`name-${k.id}`} name="name" maxlength={64} value={k.name} />
                  <button type="submit" class="secondary">
                    Rename
                  </button>
                </form>
                <form method="post" action={`/me/keys/${encodeURIComponent(k.id)}/remove`} class="inline">
                  <input type="hidden" name="_csrf" value={p.csrf} />
                  <button type="submit" class="secondary">
                    Remove
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a class="button" href="/auth/key?mode=register&return_to=%2Fme%2Fkeys">
          Add another key
        </a>
      </p>
    </Layout>
  );
}

export interface SessionRowView {
  id: string;
  kind: string;
  idp: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string | null;
  current: boolean;
}

export function SessionsPage(p: { who: string; csrf: string; sessions: SessionRowView[] }) {
  return (
    <Layout title="My sessions" who={p.who} csrf={p.csrf}>
      <table>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Started</th>
            <th scope="col">Last seen</th>
            <th scope="col">Client</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {p.sessions.map((s) => (
            <tr data-session={s.id}>
              <td>
                {s.kind}
                {s.current ? <strong> (this one)</strong> : null}
              </td>
              <td>{new Date(s.createdAt).toISOString().slice(0, 16).replace('T', ' ')}</td>
              <td>{new Date(s.lastSeenAt).toISOString().slice(0, 16).replace('T', ' ')}</td>
              <td>{s.userAgent ?? ''}</td>
              <td>
                <form method="post" action={`/me/sessions/${encodeURIComponent(s.id)}/end`} class="inline">
                  <input type="hidden" name="_csrf" value={p.csrf} />
                  <button type="submit" class="secondary">
                    End
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function AgentConsentPage(p: { who: string; csrf: string; action: string; hidden: Record<string, string>; code?: string | undefined; heading: string }) {
  return (
    <Layout title={p.heading} who={p.who} csrf={p.csrf}>
      <p>
        The radgate agent on a device asks to act as <strong>{p.who}</strong>. Approve only if you started it yourself just now
        {p.code ? ' and the code below matches the one it shows' : ''}.
      </p>
      {p.code ? <p class="code">{p.code}</p> : null}
      <form method="post" action={p.action}>
        <input type="hidden" name="_csrf" value={p.csrf} />
        {Object.entries(p.hidden).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <button type="submit" name="decision" value="approve">
          Approve
        </button>{' '}
        <button type="submit" name="decision" value="deny" class="secondary">
          Deny
        </button>
      </form>
    </Layout>
  );
}

export function DeviceCodeEntryPage(p: { who: string; csrf: string; error?: string | undefined }) {
  return (
    <Layout title="Sign in a device" who={p.who} csrf={p.csrf}>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <form method="get" action="/agent/device">
        <label for="user-code">Code shown by the radgate agent</label>
        <input type="text" id="user-code" name="user_code" autocomplete="off" required />
        <button type="submit">Continue</button>
      </form>
    </Layout>
  );
}

export function MessagePage(p: { title: string; message: string; who?: string | null; csrf?: string | null; error?: boolean }) {
  return (
    <Layout title={p.title} who={p.who ?? null} csrf={p.csrf ?? null}>
      <p class={p.error ? 'error' : 'note'} role={p.error ? 'alert' : 'status'}>
        {p.message}
      </p>
      <p>
        <a href="/">Home</a>
      </p>
    </Layout>
  );
}

/** Browser rendering of an error (problem+json for everyone else). */
export function problemPage(problem: { title: string; status: number; detail?: string; requestId?: string }): string {
  const message = `${problem.detail ?? problem.title}${problem.requestId ? ` (request ${problem.requestId})` : ''}`;
  return `<!doctype html>${String(MessagePage({ title: `${problem.status} ${problem.title}`, message, error: true }))}`;
}
