// `radgate policy` verbs that talk to the broker's admin API as the logged-in agent session
// (the admin's own identity decides and is audited; the broker root is pinned).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { pinFilePath, readSession, resolveAgentHome } from '../agent/index.js';
import { CliExit } from './context.js';

export async function policyApi(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const home = resolveAgentHome();
  const session = readSession(home);
  if (!session) throw new CliExit('radgate: not logged in; run radgate login --server <url> as an administrator', 1);
  const url = new URL(path, session.server);
  const ca = readFileSync(pinFilePath(home, new URL(session.server)), 'utf8');
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const res = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(url, {
      method,
      ca,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      agent: false,
      timeout: 120_000,
      headers: { Accept: 'application/json', Authorization: `Bearer ${session.token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}) },
    });
    req.on('timeout', () => req.destroy(new Error(`${url.origin} did not answer in time`)));
    req.on('error', reject);
    req.on('response', (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('error', reject);
      r.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = undefined;
        }
        resolve({ status: r.statusCode ?? 0, body: parsed });
      });
    });
    req.end(payload);
  });
  if (res.status >= 200 && res.status < 300) return res.body;
  const p = (res.body ?? {}) as { detail?: string; title?: string; issues?: { file: string; line: number; col: number; message: string }[]; failedTests?: { file: string; name: string; message: string }[] };
  const lines = [`radgate: HTTP ${res.status}: ${p.detail ?? p.title ?? 'refused'}`];
  for (const i of p.issues ?? []) lines.push(`${i.file}:${i.line}:${i.col}: ${i.message}`);
  for (const t of p.failedTests ?? []) lines.push(`FAIL ${t.file} ${t.name}: ${t.message}`);
  throw new CliExit(lines.join('\n'), 1);
}
