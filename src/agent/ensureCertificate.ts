// Keeps a usable client certificate while the login session lives: renews when less
// than `renewBefore` of the certificate's lifetime is left (default one third).
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { readCurrentCertificate, type CertificateRecord } from './certificateFiles.js';
import { readSession } from './sessionFile.js';
import { requestCertificate, type RequestCertificateOptions } from './requestCertificate.js';

export interface EnsureCertificateOptions extends RequestCertificateOptions {
  /** Fraction of the lifetime left below which to renew, 0 < f < 1. Default 1/3. */
  renewBefore?: number;
}

export interface EnsureCertificateResult {
  certificate: CertificateRecord;
  renewed: boolean;
}

/** Pure: does this certificate need replacing at `now`? */
export function needsRenewal(cert: Pick<CertificateRecord, 'notBefore' | 'notAfter'>, now: number, renewBefore: number): boolean {
  const start = Date.parse(cert.notBefore);
  const end = Date.parse(cert.notAfter);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return true;
  return end - now < (end - start) * renewBefore;
}

export async function ensureCertificate(o: EnsureCertificateOptions = {}): Promise<EnsureCertificateResult> {
  const home = o.home ?? resolveAgentHome();
  const clock = o.clock ?? Date.now;
  const renewBefore = o.renewBefore ?? 1 / 3;
  if (!(renewBefore > 0 && renewBefore < 1)) throw new RangeError('renewBefore must be between 0 and 1');
  const session = readSession(home);
  if (!session || Date.parse(session.expiresAt) <= clock()) throw new AgentError('not-logged-in', 'the session has ended; run radgate login to get new certificates');
  const current = readCurrentCertificate(home);
  if (current && current.server === session.server && !needsRenewal(current, clock(), renewBefore)) return { certificate: current, renewed: false };
  return { certificate: await requestCertificate({ ...o, home }), renewed: true };
}

/**
 * Renews in the background for long-running agent commands (tunnels): checks every
 * `intervalMs`, stops when the session ends. Returns a stop function.
 */
export function keepCertificateFresh(o: EnsureCertificateOptions & { intervalMs?: number; onRenewed?: (c: CertificateRecord) => void; onError?: (e: unknown) => void }): () => void {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const r = await ensureCertificate(o);
      if (r.renewed) o.onRenewed?.(r.certificate);
    } catch (err) {
      if (err instanceof AgentError && err.code === 'not-logged-in') stopped = true;
      o.onError?.(err);
    }
  };
  const timer = setInterval(() => void tick(), o.intervalMs ?? 60_000);
  timer.unref();
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
