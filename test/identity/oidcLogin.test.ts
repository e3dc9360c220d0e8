// Sign-in against two real oidc-provider issuers side by side: provisioning by
// (issuer, sub), claim mapping per IdP, userinfo, disabled users, state/nonce/code abuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROLE_MAP, type DevIdpUser } from '../../src/identity/devIdp/index.js';
import { isOidcError, OidcError, skipBrowserBinding } from '../../src/identity/oidc/index.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidcProvider.js';
import { oidcFixture, REDIRECT_URI, type OidcFixture } from './oidcFixture.js';

const SECRET_A = 'secret-for-hospital-idp-0123456789';
const SECRET_B = 'secret-for-vendor-idp-0123456789ab';

/** The vendor IdP's people: a different claim vocabulary, mapped by config. */
const VENDOR_USERS: DevIdpUser[] = [
  {
    sub: 'dr-rivera', // the same sub as the hospital's radiologist: a different person
    name: 'Robin Rivera',
    email: 'robin@acme-imaging.example',
    org: 'Acme Imaging Service',
    department: 'field-service',
    groups: ['acme-field-engineers', 'acme-everyone'],
    kind: 'vendor',
    description: 'Acme field engineer',
  },
];

async function rejection(p: Promise<unknown>): Promise<OidcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isOidcError(err)) throw new Error(`expected an OidcError, got ${String(err)}`);
  return err;
}

describe('OIDC sign-in against real oidc-provider issuers', () => {
  let hospital: TestOidcProvider;
  let vendor: TestOidcProvider;
  let fx: OidcFixture;

  beforeAll(async () => {
    hospital = await startOidcProvider({
      pathPrefix: '/idp',
      clients: [{ clientId: 'radgate', clientSecret: SECRET_A, redirectUris: [REDIRECT_URI] }],
    });
    vendor = await startOidcProvider({
      users: VENDOR_USERS,
      // Only sub in the ID token: the RP has to fetch the rest from userinfo.
      conformIdTokenClaims: true,
      clients: [{ clientId: 'radgate-at-acme', clientSecret: SECRET_B, redirectUris: [REDIRECT_URI], idTokenSignedResponseAlg: 'RS256' }],
    });
    fx = await oidcFixture([
      {
        name: 'hospital',
        issuer: hospital.issuer,
        clientId: 'radgate',
        clientSecret: SECRET_A,
        allowInsecureHttp: true,
        claims: { kind: 'kind' },
        roleMap: DEMO_ROLE_MAP,
      },
      {
        name: 'acme',
        issuer: vendor.issuer,
        clientId: 'radgate-at-acme',
        clientSecret: SECRET_B,
        allowInsecureHttp: true,
        kind: 'vendor',
        scopes: ['openid', 'profile', 'email'],
        claims: { organization: 'org', department: 'department' },
        roleMap: { 'acme-field-engineers': 'vendor-engineer' },
        algorithms: ['RS256'],
      },
    ]);
  });

  afterAll(async () => {
    await fx?.close();
    await hospital?.stop();
    await vendor?.stop();
  });

  async function signIn(idp: string, provider: TestOidcProvider, user: string, returnTo?: string) {
    const begun = await fx.rp.beginLogin({ idp, returnTo: returnTo ?? '/studies', agentRequest: null });
    const callback = await provider.browser().signIn(begun.url, user);
    return { begun, callback };
  }

  it('provisions a workforce user on first sign-in with roles mapped from groups', async () => {
    const { begun, callback } = await signIn('hospital', hospital, 'dr-rivera', '/studies?x=1');
    const url = new URL(begun.url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('state')).toBe(begun.state);

    const result = await fx.rp.completeLogin(callback, { browserState: begun.state });
    expect(result).toMatchObject({
      idp: 'hospital',
      returnTo: '/studies?x=1',
      agentRequest: null,
      user: {
        issuer: hospital.issuer,
        subject: 'dr-rivera',
        kind: 'workforce',
        organization: 'St. Example Hospital',
        department: 'radiology',
        displayName: 'Dr. Alex Rivera',
        email: 'alex.rivera@hospital.example',
        roles: ['clinician'],
        disabled: false,
      },
    });
    expect(result.amr).toContain('oidc');
    expect(result.sid).toBeNull(); // no back-channel logout registered for this client
    const stored = await fx.store.users.getBySubject(hospital.issuer, 'dr-rivera');
    expect(stored?.id).toBe(result.user.id);
    const [event] = (await fx.auditEvents('identity.login')).filter((e) => e.outcome === 'success');
    expect(event).toMatchObject({ actor: `Radgate::User::"${result.user.id}"`, detail: { idp: 'hospital', created: true, roles: ['clinician'] } });
    expect(JSON.stringify(await fx.auditEvents())).not.toContain(SECRET_A);
  });

  it('maps a vendor from the vendor kind claim and an organisation, admins get only mapped roles', async () => {
    const vendorLogin = await signIn('hospital', hospital, 'vendor-kim');
    const v = await fx.rp.completeLogin(vendorLogin.callback, { browserState: vendorLogin.begun.state });
    expect(v.user).toMatchObject({ kind: 'vendor', organization: 'Acme Imaging Service', department: null, roles: ['vendor-engineer'] });

    const adminLogin = await signIn('hospital', hospital, 'admin-lee');
    const a = await fx.rp.completeLogin(adminLogin.callback, { browserState: adminLogin.begun.state });
    expect(a.user.roles).toEqual(['access-approver', 'admin', 'auditor', 'policy-admin']);
  });

  it('keeps users of two issuers apart even with the same sub, and fills claims from userinfo', async () => {
    const { begun, callback } = await signIn('acme', vendor, 'dr-rivera');
    const result = await fx.rp.completeLogin(callback, { browserState: begun.state });
    const hospitalUser = await fx.store.users.getBySubject(hospital.issuer, 'dr-rivera');
    expect(result.user.id).not.toBe(hospitalUser?.id);
    expect(result.user).toMatchObject({
      issuer: vendor.issuer,
      subject: 'dr-rivera',
      kind: 'vendor', // this IdP's configured kind; it maps no kind claim
      organization: 'Acme Imaging Service',
      department: 'field-service',
      displayName: 'Robin Rivera', // from userinfo: the ID token carries only sub
      roles: ['vendor-engineer'], // acme-everyone is not in the roleMap
    });
  });

  it('updates the profile on a later sign-in and keeps the same local user', async () => {
    const first = await fx.store.users.getBySubject(hospital.issuer, 'dr-rivera');
    const { begun, callback } = await signIn('hospital', hospital, 'dr-rivera');
    const again = await fx.rp.completeLogin(callback, { browserState: begun.state });
    expect(again.user.id).toBe(first?.id);
    const events = await fx.auditEvents('identity.login');
    expect(events.at(-1)?.detail).toMatchObject({ created: false });
  });

  it('refuses a disabled user whatever the IdP says, and changes nothing', async () => {
    const user = await fx.store.users.getBySubject(hospital.issuer, 'admin-lee');
    await fx.store.users.setDisabled(user!.id, true, Date.now());
    const before = await fx.snapshot();
    const { begun, callback } = await signIn('hospital', hospital, 'admin-lee');
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: begun.state }));
    expect(err).toMatchObject({ code: 'forbidden', status: 403, reason: 'user-disabled' });
    expect(await fx.snapshot()).toEqual(before);
    expect((await fx.auditEvents('identity.login')).at(-1)).toMatchObject({
      outcome: 'failure',
      actor: `Radgate::User::"${user!.id}"`,
      detail: { reason: 'user-disabled', idp: 'hospital', subject: 'admin-lee' },
    });
    await fx.store.users.setDisabled(user!.id, false, Date.now());
  });

  it('refuses a forged state, changing nothing', async () => {
    const before = await fx.snapshot();
    const { callback } = await signIn('hospital', hospital, 'dr-rivera');
    callback.searchParams.set('state', 'forged-state-value-aaaaaaaaaaaaaaaaaaaaaaaaaa');
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: 'forged-state-value-aaaaaaaaaaaaaaaaaaaaaaaaaa' }));
    expect(err).toMatchObject({ code: 'unauthenticated', reason: 'state-invalid' });
    expect(await fx.snapshot()).toEqual(before);
    expect((await fx.auditEvents('identity.login')).at(-1)).toMatchObject({ outcome: 'failure', actor: 'anonymous', detail: { reason: 'state-invalid' } });
  });

  it('refuses a replayed callback (state already used)', async () => {
    const { begun, callback } = await signIn('hospital', hospital, 'dr-rivera');
    await fx.rp.completeLogin(callback, { browserState: begun.state });
    const before = await fx.snapshot();
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: begun.state }));
    expect(err).toMatchObject({ code: 'unauthenticated', reason: 'state-invalid' });
    expect(await fx.snapshot()).toEqual(before);
  });

  it('refuses a callback whose state was issued to another browser (login CSRF), leaving that transaction usable', async () => {
    const { begun, callback } = await signIn('hospital', hospital, 'dr-rivera');
    const other = await fx.rp.beginLogin({ idp: 'hospital' });
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: other.state }));
    expect(err).toMatchObject({ code: 'unauthenticated', reason: 'state-mismatch' });
    // The victim's own transaction was not consumed by the attempt.
    await expect(fx.rp.completeLogin(callback, { browserState: begun.state })).resolves.toMatchObject({ idp: 'hospital' });
  });

  it('refuses an ID token whose nonce belongs to another sign-in attempt', async () => {
    // The browser runs attempt A's authorization request but returns with attempt B's state:
    // PKCE matches (B's challenge), the ID token carries A's nonce.
    const a = await fx.rp.beginLogin({ idp: 'hospital' });
    const b = await fx.rp.beginLogin({ idp: 'hospital' });
    const url = new URL(a.url);
    const bParams = new URL(b.url).searchParams;
    url.searchParams.set('state', b.state);
    url.searchParams.set('code_challenge', bParams.get('code_challenge')!);
    const before = await fx.snapshot();
    const callback = await hospital.browser().signIn(url.href, 'dr-rivera');
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: b.state }));
    expect(err).toMatchObject({ code: 'unauthenticated', reason: 'nonce-mismatch' });
    expect(await fx.snapshot()).toEqual(before);
    expect((await fx.auditEvents('identity.login')).at(-1)).toMatchObject({ outcome: 'failure', detail: { reason: 'nonce-mismatch' } });
  });

  it('refuses a replayed authorization code even when a transaction for it exists again', async () => {
    const { begun, callback } = await signIn('hospital', hospital, 'dr-rivera');
    // Keep a copy of the transaction row, as an attacker who could replay state would need.
    const { hashHandle } = await import('../../src/identity/oidc/hashHandle.js');
    const row = await fx.store.challenges.peek(hashHandle(begun.state), 'oidc.login', Date.now());
    await fx.rp.completeLogin(callback, { browserState: begun.state });
    await fx.store.challenges.put(row!);
    const before = await fx.snapshot();
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: begun.state }));
    expect(err).toMatchObject({ code: 'unauthenticated', reason: 'code-rejected' });
    expect(err.detail).toContain('invalid_grant');
    expect(await fx.snapshot()).toEqual(before);
  });

  it('reports an IdP error answer (user cancelled) as a failed sign-in', async () => {
    const begun = await fx.rp.beginLogin({ idp: 'hospital' });
    const callback = new URL(REDIRECT_URI);
    callback.search = new URLSearchParams({ error: 'access_denied', error_description: 'cancelled\nby user', state: begun.state, iss: hospital.issuer }).toString();
    const err = await rejection(fx.rp.completeLogin(callback, { browserState: begun.state }));
    expect(err).toMatchObject({ code: 'unauthenticated', reason: 'idp-error' });
    expect((await fx.auditEvents('identity.login')).at(-1)?.detail).toMatchObject({ reason: 'idp-error', message: 'access_denied: cancelled by user' });
  });

  it('refuses a callback without state as a bad request, and an unknown IdP at begin', async () => {
    expect(await rejection(fx.rp.completeLogin(`${REDIRECT_URI}?code=x`, { browserState: skipBrowserBinding }))).toMatchObject({
      code: 'bad-request',
      reason: 'callback-invalid',
    });
    expect(await rejection(fx.rp.beginLogin({ idp: 'nope' }))).toMatchObject({ code: 'bad-request', reason: 'idp-unknown' });
  });

  it('sends a return path that is not same-origin back to /', async () => {
    const { begun, callback } = await signIn('hospital', hospital, 'dr-rivera', '//evil.example/x');
    expect((await fx.rp.completeLogin(callback, { browserState: begun.state })).returnTo).toBe('/');
  });
});
