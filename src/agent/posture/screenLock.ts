// Does the desktop lock itself when idle? Only answerable inside a graphical session whose
// settings we can read: GNOME (gsettings lock-enabled and a non-zero idle-delay). A
// headless machine, or another desktop, → unknown.
import { describeCommand, ok, unknown, type Collector, type Signal } from './types.js';

const SCHEMA_SAVER = 'org.gnome.desktop.screensaver';
const SCHEMA_SESSION = 'org.gnome.desktop.session';

/** gsettings prints `true`/`false` and `uint32 300`. */
export function parseGnomeLock(lockEnabled: string, idleDelay: string): boolean | undefined {
  const enabled = lockEnabled.trim();
  const delay = /^(?:uint32\s+)?(\d+)$/.exec(idleDelay.trim());
  if ((enabled !== 'true' && enabled !== 'false') || !delay) return undefined;
  return enabled === 'true' && Number(delay[1]) > 0;
}

export const screenLockCollector: Collector = {
  signal: 'screenLock',
  async collect(probe): Promise<Signal> {
    const env = probe.env;
    const graphical = Boolean(env.WAYLAND_DISPLAY || env.DISPLAY) || env.XDG_SESSION_TYPE === 'x11' || env.XDG_SESSION_TYPE === 'wayland';
    if (!graphical) return unknown('env:DISPLAY,WAYLAND_DISPLAY,XDG_SESSION_TYPE (no graphical session: headless or not run from the desktop)');
    const desktop = `${env.XDG_CURRENT_DESKTOP ?? ''}`;
    if (!/gnome|unity|ubuntu|budgie|cinnamon/i.test(desktop)) return unknown(`env:XDG_CURRENT_DESKTOP=${desktop || '(unset)'} (screen lock not readable for this desktop yet)`);
    const a1 = ['get', SCHEMA_SAVER, 'lock-enabled'];
    const a2 = ['get', SCHEMA_SESSION, 'idle-delay'];
    const [lock, idle] = await Promise.all([probe.run('gsettings', a1), probe.run('gsettings', a2)]);
    const src = `${describeCommand('gsettings', a1)}; ${describeCommand('gsettings', a2)}`;
    if (!lock.ok || !idle.ok) return unknown(`${src} (${!lock.ok ? `${lock.reason}: ${lock.detail}` : !idle.ok ? `${idle.reason}: ${idle.detail}` : ''})`);
    const v = parseGnomeLock(lock.stdout, idle.stdout);
    return v === undefined ? unknown(`${src} (unrecognised output)`) : ok(v, src);
  },
};
