// `npm run bench -- <name>`: runs test/bench/<name>.bench.ts.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const name = process.argv[2];
if (!name || name === '--help' || !available.includes(name)) {
  process.stderr.write(
    `${name && name !== '--help' ? `bench: unknown benchmark "${name}"\n` : ''}usage: npm run bench -- <name>\navailable: ${available.join(', ')}\n`,
  );
  process.exit(name && name !== '--help' ? 2 : 0);
}
const file = path.join(dir, `${name}.bench.ts`);
if (!existsSync(file)) process.exit(2);
const mod = (await import(pathToFileURL(file).href)) as { main: (args: string[]) => Promise<void> };
await mod.main(process.argv.slice(3));
