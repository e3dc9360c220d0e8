// Opens a URL in the user's browser when there is one: xdg-open on a desktop session
// (macOS: open). Returns false when it cannot, so the caller relies on the printed URL.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export type OpenBrowser = (url: string) => Promise<boolean> | boolean;

export function findOnPath(cmd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const defaultOpenBrowser: OpenBrowser = (url) => {
  const env = process.env;
  const cmd = process.platform === 'darwin' ? findOnPath('open', env) : env.DISPLAY || env.WAYLAND_DISPLAY ? findOnPath('xdg-open', env) : undefined;
  if (!cmd) return false;
  // No shell: the URL is one argument, never interpreted.
  return new Promise<boolean>((resolve) => {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
};
