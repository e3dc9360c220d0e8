// The agent's version, from the package it ships in (src/ and dist/ sit at the same depth).
import { readFileSync } from 'node:fs';

export const AGENT_VERSION_SOURCE = 'file:package.json';

export const AGENT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
