// Runs every collector for this platform in parallel. A collector that throws yields
// `unknown` with the error, never a value.
import { collectorsFor } from './registry.js';
import { systemProbe } from './systemProbe.js';
import { SIGNAL_NAMES, unknown, unsupported, type Collector, type PostureSignals, type Probe, type Signal, type SignalName } from './types.js';

export interface CollectedPosture {
  collectedAt: number;
  platform: NodeJS.Platform;
  signals: PostureSignals;
}

export async function collectPosture(o: { probe?: Probe; collectors?: Collector[] } = {}): Promise<CollectedPosture> {
  const probe = o.probe ?? systemProbe();
  const collectors = o.collectors ?? collectorsFor(probe.platform);
  const collectedAt = probe.now();
  const results = await Promise.all(
    collectors.map(async (c): Promise<[SignalName, Signal]> => {
      try {
        return [c.signal, await c.collect(probe)];
      } catch (err) {
        return [c.signal, unknown(`collector error: ${(err as Error)?.message ?? String(err)}`)];
      }
    }),
  );
  const byName = new Map(results);
  const signals = Object.fromEntries(
    SIGNAL_NAMES.map((n) => [n, byName.get(n) ?? unsupported(`no collector for ${n} on ${probe.platform}`)]),
  ) as PostureSignals;
  return { collectedAt, platform: probe.platform, signals };
}
