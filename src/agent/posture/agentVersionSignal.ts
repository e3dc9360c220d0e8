// The agent's own version, so the broker can require a minimum.
import { AGENT_VERSION, AGENT_VERSION_SOURCE } from '../agentVersion.js';
import { ok, type Collector } from './types.js';

export const agentVersionCollector: Collector = { signal: 'agentVersion', collect: async () => ok(AGENT_VERSION, AGENT_VERSION_SOURCE) };
