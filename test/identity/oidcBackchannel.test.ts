// Back-channel logout: a real oidc-provider ends its session and posts a logout token to
// radgate, which ends the matching login sessions and announces each on the bus. Logout
// tokens that break the spec's rules (from a hostile IdP that holds a trusted key) change
// nothing but the audit log.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT, isOidcError, type OidcError } from '../../src/identity/oidc/index.js';
import { startHostileIdp, type HostileIdp } from '../helpers/hostileIdp.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidcProvider.js';
import { oidcFixture, REDIRECT_URI, type OidcFixture } from './oidcFixture.js';

const SECRET = 'hospital-client-secret-0123456789';
const EVENTS = { [BACKCHANNEL_LOGOUT_EVENT]: {} };

async function rejection(p: Promise<unknown>): Promise<OidcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isOidcError(err)) throw new Error(`expected an OidcError, got ${String(err)}`);
  return err;
}

describe('OIDC back-channel logout', () => {
  let rpServer: Server;
  let hospital: TestOidcProvider;
  let hostile: HostileIdp;
  let fx: OidcFixture;
  /** Logout tokens radgate's endpoint received, with the status it answered. */
  const received: { token: string; status: number }[] = [];
  let sessionSeq = 0;

  beforeAll(async () => {
    // radgate's back-channel logout endpoint, as the identity routes would expose it.
    rpServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('logout_token') ?? '';
        const idp = (req.url ?? '').split('/').pop() ?? '';
        fx.rp.handleBackchannelLogout(idp, token).then(
          () => {
            received.push({ token, status: 200 });
            res.writeHead(200, { 'cache-control': 'no-store' }).end();
          },
          () => {
            received.push({ token, status: 400 });
            res.writeHead(400, { 'cache-control': 'no-store' }).end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => rpServer.listen(0, '127.0.0.1', resolve));
    const rpPort = (rpServer.address() as AddressInfo).port;
    hospital = await startOidcProvider({
      clients: [
        {
          clientId: 'radgate',
          clientSecret: SECRET,
          redirectUris: [REDIRECT_URI],
          backchannelLogoutUri: `http://127.0.0.1:${rpPort}/auth/oidc/backchannel-logout/hospital`,
        },
      ],
    });
    hostile = await startHostileIdp({ clientId: 'radgate' });
    fx = await oidcFixture([
      { name: 'hospital', issuer: hospital.issuer, clientId: 'radgate', clientSecret: SECRET, allowInsecureHttp: true, claims: { kind: 'kind' } },
      { name: 'hostile', issuer: hostile.issuer, clientId: 'radgate', clientSecret: 'x-secret-x', allowInsecureHttp: true, algorithms: ['ES256'] },
    ]);
  });
  afterAll(async () => {
    await fx?.close();
    await hospital?.stop();
    await hostile?.stop();
    await new Promise<void>((resolve) => rpServer?.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    fx.busEvents.length = 0;
  });

  /** A login session as the sessions module would record it after this sign-in. */
  async function addSession(userId: string, idp: string, idpSid: string | null, kind: 'browser' | 'agent' = 'browser'): Promise<string> {
    const id = `s${++sessionSeq}`;
    const now = Date.now();
    await fx.store.sessions.insert({
      id,
      tokenHash: `hash-${id}`,
      userId,
      kind,
      state: 'active',
      idp,
      idpSid,
      csrfSecret: 'x',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      oidcAt: now,
    });
    return id;
  }

  async function liveSessions(userId: string): Promise<string[]> {
    return (await fx.store.sessions.listForUser(userId)).map((s) => s.id).sort();
  }

  it('ends the sessions of the IdP session the provider logged out, and announces each', async () => {
    const browser = hospital.browser();
    const begun = await fx.rp.beginLogin({ idp: 'hospital' });
    const login = await fx.rp.completeLogin(await browser.signIn(begun.url, 'dr-rivera'), { browserState: begun.state });
    expect(login.sid).toEqual(expect.any(String));
    const userId = login.user.id;
    const browserSession = await addSession(userId, 'hospital', login.sid);
    const agentSession = await addSession(userId, 'hospital', login.sid, 'agent');
    const otherSession = await addSession(userId, 'hospital', 'another-idp-session');

    // The user signs out at the IdP; oidc-provider posts a logout token to radgate.
    const delivered = hospital.nextBackchannelDelivery();
    expect(await browser.endSession()).toBe(303);
    expect(await delivered).toMatchObject({ ok: true, clientId: 'radgate' });

    expect(received).toEqual([{ token: expect.any(String), status: 200 }]);
    expect(await liveSessions(userId)).toEqual([otherSession]);
    await fx.drainBus();
    expect(fx.busEvents).toEqual(
      expect.arrayContaining([
        { type: 'session.ended', sessionId: browserSession, userId, reason: 'backchannel-logout' },
        { type: 'session.ended', sessionId: agentSession, userId, reason: 'backchannel-logout' },
      ]),
    );
    expect(fx.busEvents).toHaveLength(2);
    expect((await fx.auditEvents('identity.backchannel-logout')).at(-1)).toMatchObject({
      outcome: 'success',
      actor: `Radgate::User::"${userId}"`,
      detail: { idp: 'hospital', subject: 'dr-rivera', sid: login.sid, endedSessions: expect.arrayContaining([browserSession, agentSession]) },
    });
    const stored = JSON.stringify(await fx.auditEvents());
    expect(stored).not.toContain(received[0]!.token);

    // The same logout token again is a replay: refused, nothing changes.
    const before = await fx.snapshot();
    const err = await rejection(fx.rp.handleBackchannelLogout('hospital', received[0]!.token));
    expect(err).toMatchObject({ code: 'bad-request', reason: 'logout-token-replayed' });
    expect(await fx.snapshot()).toEqual(before);
  });

  it('refuses a logout token presented to the wrong IdP endpoint', async () => {
    const token = await hostile.sign({ iss: hostile.issuer, aud: 'radgate', iat: now(), exp: now() + 60, jti: 'j-wrong-idp', sid: 'x', events: EVENTS });
    expect(await rejection(fx.rp.handleBackchannelLogout('hospital', token))).toMatchObject({ reason: 'logout-token-invalid' });
  });

  describe('with a hostile IdP that holds a key radgate trusts', () => {
    let userId: string;
    let sessions: string[];

    beforeAll(async () => {
      const begun = await fx.rp.beginLogin({ idp: 'hostile' });
      const nonce = new URL(begun.url).searchParams.get('nonce')!;
      hostile.nextIdToken = () => hostile.sign(hostile.idTokenClaims(nonce, { sid: 'hostile-sid' }));
      const login = await fx.rp.completeLogin(`${REDIRECT_URI}?code=c&state=${begun.state}`, { browserState: begun.state });
      userId = login.user.id;
      sessions = [await addSession(userId, 'hostile', 'hostile-sid'), await addSession(userId, 'hostile', 'hostile-sid-2')];
    });

    const base = (jti: string) => ({ iss: hostile.issuer, aud: 'radgate', sub: 'mallory', iat: now(), exp: now() + 120, jti, events: EVENTS });

    const refused: [string, () => Promise<string>, RegExp][] = [
      ['without the events claim', () => hostile.sign({ ...base('j1'), events: undefined }), /events-missing/],
      ['whose events claim lacks the back-channel logout event', () => hostile.sign({ ...base('j2'), events: { 'urn:other': {} } }), /events-missing/],
      ['with a nonce (an ID token is not a logout token)', () => hostile.sign({ ...base('j3'), nonce: 'n' }), /nonce-present/],
      ['with neither sub nor sid', () => hostile.sign({ ...base('j4'), sub: undefined }), /sub-and-sid-missing/],
      ['without iat', () => hostile.sign({ ...base('j5'), iat: undefined }), /iat/],
      ['without jti', () => hostile.sign({ ...base('j6'), jti: undefined }), /jti/],
      ['for another audience', () => hostile.sign({ ...base('j7'), aud: 'someone-else' }), /aud/],
      ['that expired', () => hostile.sign({ ...base('j8'), iat: now() - 4000, exp: now() - 3600 }), /exp/],
      ['issued too long ago', () => hostile.sign({ ...base('j9'), iat: now() - 3600, exp: now() + 60 }), /iat/],
      ['unsigned (alg none)', async () => hostile.unsigned(base('j10')), /ALG_NOT_ALLOWED|JWS_INVALID/],
      ['signed with a key the IdP never published', () => hostile.sign(base('j11'), { key: 'unpublished', kid: hostile.publishedKid }), /SIGNATURE/],
      ['typed as something else', () => hostile.sign(base('j12'), { typ: 'at+jwt' }), /typ-not-logout/],
    ];

    for (const [what, make, detail] of refused) {
      it(`refuses a logout token ${what}, changing nothing`, async () => {
        const before = await fx.snapshot();
        const err = await rejection(fx.rp.handleBackchannelLogout('hostile', await make()));
        expect(err).toMatchObject({ code: 'bad-request', status: 400, reason: 'logout-token-invalid' });
        expect(err.detail).toMatch(detail);
        expect(await fx.snapshot()).toEqual(before);
        expect(await liveSessions(userId)).toEqual(sessions);
        await fx.drainBus();
        expect(fx.busEvents).toEqual([]);
        expect((await fx.auditEvents('identity.backchannel-logout')).at(-1)).toMatchObject({
          outcome: 'failure',
          detail: { idp: 'hostile', reason: 'logout-token-invalid' },
        });
      });
    }

    it('ends only the named IdP session for a sid token, then every session of the user for a sub-only token', async () => {
      const bySid = await hostile.sign({ ...base('j-sid'), sid: 'hostile-sid' });
      expect(await fx.rp.handleBackchannelLogout('hostile', bySid)).toEqual({ endedSessions: [sessions[0]], userId });
      expect(await liveSessions(userId)).toEqual([sessions[1]]);

      const bySub = await hostile.sign(base('j-sub'));
      expect(await fx.rp.handleBackchannelLogout('hostile', bySub)).toEqual({ endedSessions: [sessions[1]], userId });
      expect(await liveSessions(userId)).toEqual([]);
      await fx.drainBus();
      expect(fx.busEvents.map((e) => e.type)).toEqual(['session.ended', 'session.ended']);
    });

    it('accepts a logout token for an unknown user as a no-op', async () => {
      const token = await hostile.sign({ ...base('j-unknown'), sub: 'nobody' });
      expect(await fx.rp.handleBackchannelLogout('hostile', token)).toEqual({ endedSessions: [], userId: null });
    });
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}
