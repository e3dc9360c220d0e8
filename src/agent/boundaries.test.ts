import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** A relative .js import that resolves inside src/agent (subfolders such as posture/ included). */
function staysInAgent(file: string, spec: string): boolean {
  if (!/^\.\.?\//.test(spec) || !spec.endsWith('.js')) return false;
  const target = path.resolve(path.dirname(file), spec);
  return target.startsWith(here + path.sep);
}

describe('agent boundaries (ARCHITECTURE: agent/ imports nothing server-side)', () => {
  it('src/agent imports only node built-ins and its own files', () => {
    const files = tsFiles(here);
    expect(files.some((f) => f.includes(`${path.sep}posture${path.sep}`))).toBe(true);
    for (const f of files) {
      for (const spec of imports(f)) {
        expect(spec.startsWith('node:') || spec === 'vitest' || staysInAgent(f, spec), `${path.relative(here, f)} imports ${spec}`).toBe(true);
      }
    }
  });

  it('the agent CLI verbs import only src/agent and commander', () => {
    for (const spec of imports(path.join(here, '../cli/agent.ts'))) {
      expect(spec.startsWith('node:') || spec === 'commander' || spec === '../agent/index.js', `cli/agent.ts imports ${spec}`).toBe(true);
    }
  });
});
