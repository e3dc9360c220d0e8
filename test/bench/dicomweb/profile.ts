// CPU profiling of the radgate side of the dicomweb bench: the V8 sampling profiler through
// node:inspector in this process (gateway + broker; the upstream and client are other
// processes), written as .cpuprofile (Chrome DevTools / speedscope) and summarised as the
// top self-time functions and self time per source area.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  top: { name: string; ms: number; pct: number }[];
  areas: { area: string; ms: number; pct: number }[];
}

/** Profiles `fn`, writes `file`, returns the summary. */
export async function profiled<T>(file: string, fn: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let result: T | undefined;
  let failure: unknown;
  try {
    result = await fn();
  } catch (err) {
    failure = err;
  }
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  if (failure !== undefined) throw failure;
  return { result: result as T, summary: summarise(profile) };
}

function area(url: string, fn: string): string {
  if (!url) {
    if (fn === '(garbage collector)' || fn === '(idle)' || fn === '(program)') return fn;
    return '(native: ' + (fn || 'anonymous') + ')';
  }
  const m = /\/src\/([a-z]+)(?:\/([a-z]+))?(?:\/([a-z]+))?\//i.exec(url);
  if (m) return `src/${[m[1], m[2], m[3]].filter(Boolean).join('/')}`;
  if (url.startsWith('node:')) {
    const name = url.slice(5);
    if (/^internal\/streams\//.test(name)) return 'node streams';
    if (/^_http_|^http|^internal\/http/.test(name)) return 'node http';
    if (/^_tls_|^tls|^internal\/tls/.test(name)) return 'node tls';
    if (/^net|^internal\/net|stream_base_commons/.test(name)) return 'node net';
    if (/^events|^internal\/event/.test(name)) return 'node events';
    if (/process\/task_queues|^timers|internal\/timers/.test(name)) return 'node timers/microtasks';
    return `node ${name.split('/').slice(-1)[0]}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm ${nm[1]}`;
  return url.replace(/^.*\/(test|src)\//, '$1/');
}

export function summarise(p: CpuProfile): ProfileSummary {
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const where = url ? `${url.replace(/^.*\/(src|test|node_modules)\//, '$1/').replace(/^file:\/\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total / 1000,
    top: rank(byFn).slice(0, 25).map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total })),
    areas: rank(byArea).slice(0, 20).map(([a, us]) => ({ area: a, ms: us / 1000, pct: (100 * us) / total })),
  };
}
