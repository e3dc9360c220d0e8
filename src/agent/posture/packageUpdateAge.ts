// Seconds since the package database last changed (an install or upgrade), from the
// mtime of the first package database found. A future mtime is not an age: unknown.
import { ok, unknown, type Collector } from './types.js';

export const PACKAGE_DB_FILES = [
  '/var/lib/dpkg/status', // dpkg: rewritten on every install, upgrade or removal
  '/var/log/dpkg.log',
  '/var/lib/rpm/rpmdb.sqlite', // rpm >= 4.16
  '/var/lib/rpm/Packages',
  '/var/lib/pacman/local',
  '/lib/apk/db/installed',
];

export function packageAge(now: number, file: string, mtimeMs: number | undefined) {
  if (mtimeMs === undefined) return undefined;
  const age = Math.floor((now - mtimeMs) / 1000);
  if (age < 0) return unknown(`mtime:${file} (in the future; clock skew?)`);
  return ok(age, `mtime:${file}`);
}

export const packageUpdateAgeCollector: Collector = {
  signal: 'lastPackageUpdateAgeSeconds',
  async collect(probe) {
    for (const f of PACKAGE_DB_FILES) {
      const s = packageAge(probe.now(), f, await probe.mtimeMs(f));
      if (s) return s;
    }
    return unknown(`mtime:${PACKAGE_DB_FILES.join(', ')} (none present)`);
  },
};
