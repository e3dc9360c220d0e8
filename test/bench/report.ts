// Shared output for benchmarks: readable lines, then one JSON object per line last.

export interface BenchResult {
  bench: string;
  metric: string;
  unit: string;
  value: number;
  baseline?: string;
  baseline_value?: number;
  ratio?: number;
  [extra: string]: unknown;
}

const results: BenchResult[] = [];

export function line(text: string): void {
  process.stdout.write(text + '\n');
}

/** Records a result; `ratio` is computed as value / baseline_value when a baseline ran. */
export function record(r: BenchResult): BenchResult {
  const out: BenchResult = { ...r };
  if (r.baseline_value !== undefined && r.baseline_value !== 0) out.ratio = round(r.value / r.baseline_value, 4);
  results.push(out);
  const base = r.baseline !== undefined ? `  (baseline ${r.baseline}: ${fmt(r.baseline_value)} ${r.unit}, ratio ${fmt(out.ratio)})` : '';
  line(`${r.bench} ${r.metric}: ${fmt(r.value)} ${r.unit}${base}`);
  return out;
}

/** Prints every recorded result as JSON lines; call once at the very end. */
export function flushJson(): void {
  for (const r of results) process.stdout.write(JSON.stringify(r) + '\n');
  results.length = 0;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '-';
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(3);
}
