import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerCaCommands } from '../../src/cli/ca.js';
import { removeHome, tempHome } from './testCa.js';

const homes: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const h of homes.splice(0)) removeHome(h);
  process.exitCode = undefined;
});

async function run(configFile: string, ...args: string[]): Promise<string> {
  const program = new Command().exitOverride().option('-c, --config <file>');
  registerCaCommands(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'radgate', '--config', configFile, 'ca', 'show', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return out;
}

describe('radgate ca show', () => {
  it('creates the CA on first use, says so, and prints the root fingerprint and file paths', async () => {
    const home = tempHome();
    homes.push(home);
    const configFile = path.join(home, 'radgate.yaml');
    writeFileSync(configFile, `home: ${JSON.stringify(home)}\n`);

    const first = await run(configFile);
    expect(process.exitCode ?? 0).toBe(0);
    expect(first).toContain(`created a new CA in ${path.join(home, 'ca')}`);
    const fingerprint = /sha256\s+((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(first)?.[1];
    expect(fingerprint).toBeDefined();
    expect(first).toMatch(/subject\s+CN=radgate root CA, OU=radgate.local, O=radgate/);
    expect(first).toMatch(/valid\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ to \d{4}/);
    for (const f of ['root.crt', 'intermediate.crt', 'server.crt', 'crl.der']) expect(first).toContain(path.join(home, 'ca', f));

    const second = await run(configFile);
    expect(second).not.toContain('created');
    expect(second).toContain(fingerprint!);

    const json = JSON.parse(await run(configFile, '--json')) as { root: { fingerprint: string } };
    expect(json.root.fingerprint).toBe(fingerprint);
  });
});
