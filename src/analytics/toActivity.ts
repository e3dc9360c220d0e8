// Reduces an audit event to an Activity for the detectors, or undefined when it says
// nothing about behaviour (system events, the analytics' own alerts, allowed decisions
// that the gate's own event follows).
import { isIP } from 'node:net';
import type { EventFacts } from '../audit/index.js';
import type { Activity, PrincipalInfo } from './types.js';

const AUTH_TYPES = new Set(['identity.login', 'identity.webauthn.authenticate', 'identity.step-up', 'identity.session.create']);

/** IPv4 /24 or IPv6 /48 of an address. */
export function networkOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const v = isIP(address);
  if (v === 4) return address.split('.').slice(0, 3).join('.') + '.0/24';
  if (v === 6) {
    const full = address.includes('::') ? expand6(address) : address.split(':');
    return full.slice(0, 3).map((h) => h.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/48';
  }
  return undefined;
}

function expand6(a: string): string[] {
  const [head, tail] = a.split('::') as [string, string];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
}

export function toActivity(f: EventFacts, who: (userId: string) => PrincipalInfo | undefined): Activity | undefined {
  if (f.type.startsWith('analytics.') || f.type.startsWith('system.') || f.type.startsWith('audit.')) return undefined;
  const t = Date.parse(f.time);
  if (Number.isNaN(t)) return undefined;
  const network = networkOf(f.source);
  const info = f.userId !== undefined ? who(f.userId) : undefined;
  const subject = f.userId ?? (network ? `net:${network}` : 'anonymous');
  const base = { t, seq: f.seq, subject, kind: info?.kind ?? (f.userId ? 'workforce' : 'anonymous'), org: info?.org ?? '', bytes: f.bytes ?? 0 };
  const extra = {
    ...(f.target ? { target: f.target } : {}),
    ...(network ? { network } : {}),
    ...(f.study ? { study: f.study } : {}),
    ...(f.patientId ? { patient: f.patientId } : {}),
    ...(f.grantId ? { grantId: f.grantId } : {}),
  };
  const failed = f.outcome === 'failure' || f.outcome === 'deny' || f.outcome === 'error';
  if (AUTH_TYPES.has(f.type)) return { ...base, ...extra, cls: failed ? 'auth-fail' : 'auth-ok' };
  if (f.type === 'decision') return f.outcome === 'deny' ? { ...base, ...extra, cls: 'deny' } : undefined;
  if (f.type.startsWith('gateway.') && f.target && !f.type.endsWith('.cut')) {
    // A refused request is counted by its decision (or as a failed authentication when the certificate was refused).
    if (failed) return f.action ? undefined : { ...base, ...extra, cls: 'auth-fail' };
    return { ...base, ...extra, cls: 'access' };
  }
  return undefined;
}
