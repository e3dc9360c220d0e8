// Runs dcmtk tools (echoscu, findscu, getscu, movescu, storescu) for gateway tests: never
// throws on a non-zero exit, returns code and output so a test can assert what dcmtk saw.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface DcmtkResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export const DCMTK_INSTALLED = existsSync('/usr/bin/echoscu') && existsSync('/usr/bin/getscu') && existsSync('/usr/bin/storescu');

export interface TlsFiles {
  keyFile: string;
  certFile: string;
  caFile: string;
}

export function tlsArgs(t: TlsFiles): string[] {
  // dcmtk: +tls <private key file> <certificate file>, +cf <trusted CA>; -pw: key is unencrypted.
  return ['+tls', t.keyFile, t.certFile, '-pw', '+cf', t.caFile];
}

export function dcmtk(tool: string, args: readonly string[], timeoutMs = 60_000): Promise<DcmtkResult> {
  const t = performance.now();
  return new Promise((resolve) => {
    execFile(`/usr/bin/${tool}`, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t });
    });
  });
}
