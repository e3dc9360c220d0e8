import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

describe('agent boundaries (ARCHITECTURE: agent/ imports nothing server-side)', () => {
  it('src/agent imports only node built-ins and its own files', () => {
    for (const f of readdirSync(here).filter((f) => f.endsWith('.ts'))) {
      for (const spec of imports(path.join(here, f))) {
        expect(spec.startsWith('node:') || spec === 'vitest' || /^\.\/[^/]+\.js$/.test(spec), `${f} imports ${spec}`).toBe(true);
      }
    }
  });

  it('the agent CLI verbs import only src/agent and commander', () => {
    for (const spec of imports(path.join(here, '../cli/agent.ts'))) {
      expect(spec.startsWith('node:') || spec === 'commander' || spec === '../agent/index.js', `cli/agent.ts imports ${spec}`).toBe(true);
    }
  });
});
