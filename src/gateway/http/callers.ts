// Who is calling the DICOMweb gateway. Two ways in:
// - a radgate client certificate (agent, scripts, curl, service principals): certificate →
//   user, login session and device posture, revocation and expiry checked on every request;
// - a browser with the radgate login-session cookie and no certificate: the device is
//   `unmanaged` in policy context (view only under the default policy).
// A resolved caller is kept per TLS connection for at most `reuseMs` and only while no
// answer-changing event arrived since (generation), so keep-alive requests skip the store.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { readCertificateIdentity, type Ca, type CertificateIdentity } from '../../ca/index.js';
import type { Devices } from '../../devices/index.js';
import type { EventBus } from '../../events/index.js';
import { authContext, authFacts, SESSION_COOKIE, type Identity, type SessionInfo, type User } from '../../identity/index.js';
import { certificateCaller } from '../resolveCaller.js';
import type { DecisionContext, EntityDescription } from '../../policy/index.js';

export interface Caller {
  via: 'certificate' | 'cookie';
  /** Present on the certificate path. */
  id?: CertificateIdentity;
  user: User;
  session: SessionInfo;
  principal: EntityDescription;
  auth: NonNullable<DecisionContext['auth']>;
  device: NonNullable<DecisionContext['device']>;
}

export type CallerResult = { ok: true; caller: Caller } | { ok: false; reason: string; detail: string; id?: CertificateIdentity };

export interface CallerResolverDeps {
  ca: Pick<Ca, 'isRevoked'>;
  identity: Pick<Identity, 'sessions'>;
  devices: Pick<Devices, 'deviceContext'>;
  bus?: Pick<EventBus, 'on'>;
  clock: () => number;
  /** How long a connection's resolved caller is reused; default 1000 ms. */
  reuseMs?: number;
}

export interface CallerResolver {
  resolve(socket: TLSSocket, cookieHeader: string | undefined): Promise<CallerResult>;
  /** Handshake-time check: a presented certificate that is revoked or expired ends the connection. */
  acceptHandshake(socket: TLSSocket): { ok: true } | { ok: false; reason: string };
  close(): void;
}

/** The context.device of a browser session without a client certificate. */
export const UNMANAGED_DEVICE: NonNullable<DecisionContext['device']> = Object.freeze({ id: 'browser', managed: false, tier: 'unmanaged', stale: false });

const INVALIDATING = ['certificate.revoked', 'session.ended', 'user.disabled', 'device.revoked', 'device.posture', 'entities.changed', 'grant.ended'] as const;

export function createCallerResolver(deps: CallerResolverDeps): CallerResolver {
  const reuseMs = deps.reuseMs ?? 1000;
  let generation = 0;
  const cache = new WeakMap<TLSSocket, { caller: Caller; generation: number; at: number; cookie: string | undefined; notAfter: number }>();
  const offs = deps.bus ? INVALIDATING.map((t) => deps.bus!.on(t, () => void generation++)) : [];

  async function fromCertificate(x509: X509Certificate, now: number): Promise<CallerResult> {
    const r = await certificateCaller(deps, x509, now);
    return r.ok ? { ok: true, caller: { via: 'certificate', ...r.caller } } : r;
  }

  async function fromCookie(token: string, now: number): Promise<CallerResult> {
    try {
      const v = await deps.identity.sessions.validateSessionToken(token, { now, expectKind: 'browser' });
      if (v.session.state !== 'active') return { ok: false, reason: 'security-key-required', detail: 'finish signing in with your security key' };
      return { ok: true, caller: { via: 'cookie', user: v.user, session: v.session, principal: v.principal, auth: authContext(authFacts(v.session, now)), device: UNMANAGED_DEVICE } };
    } catch (err) {
      const reason = (err as { reason?: unknown }).reason;
      if (typeof reason === 'string') return { ok: false, reason: 'session-invalid', detail: 'the sign-in session is not valid; sign in again' };
      throw err;
    }
  }

  return {
    acceptHandshake(socket) {
      const x509 = socket.authorized ? socket.getPeerX509Certificate() : undefined;
      if (!x509) return { ok: true };
      const id = readCertificateIdentity(x509);
      if (id && deps.ca.isRevoked(id.serial)) return { ok: false, reason: 'certificate-revoked' };
      if (Date.parse(x509.validTo) <= deps.clock()) return { ok: false, reason: 'certificate-expired' };
      return { ok: true };
    },

    async resolve(socket, cookieHeader) {
      const now = deps.clock();
      const presented = socket.getPeerX509Certificate();
      if (presented && !socket.authorized) {
        // A certificate we cannot verify (foreign CA, expired) is refused, never ignored.
        return { ok: false, reason: 'certificate-untrusted', detail: 'the client certificate is not from this broker or not valid now' };
      }
      const token = presented ? undefined : readCookie(cookieHeader, SESSION_COOKIE);
      const hit = cache.get(socket);
      if (hit && hit.generation === generation && now - hit.at < reuseMs && hit.cookie === token && now < hit.notAfter) {
        const id = hit.caller.id;
        if (!id || !deps.ca.isRevoked(id.serial)) return { ok: true, caller: hit.caller };
      }
      const gen = generation;
      let r: CallerResult;
      if (presented) r = await fromCertificate(presented, now);
      else if (token) r = await fromCookie(token, now);
      else return { ok: false, reason: 'credentials-required', detail: 'present a radgate client certificate, or sign in to radgate in this browser' };
      if (r.ok) {
        const notAfter = Math.min(r.caller.session.expiresAt, presented ? Date.parse(presented.validTo) : Number.POSITIVE_INFINITY);
        cache.set(socket, { caller: r.caller, generation: gen, at: now, cookie: token, notAfter });
      } else {
        cache.delete(socket);
      }
      return r;
    },

    close() {
      for (const off of offs) off();
    },
  };
}

/** One cookie's value from a Cookie header (RFC 6265 5.4 syntax); undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
