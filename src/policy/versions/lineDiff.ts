// A line diff (longest common subsequence) for showing policy changes to people.

export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
}

const MAX_CELLS = 4_000_000;

/** Lines of `a` and `b` as kept/removed/added; very large inputs degrade to remove-all/add-all. */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  // Common prefix and suffix first: most edits touch a few lines.
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  const head = x.slice(0, start).map((text) => ({ op: ' ' as const, text }));
  const tail = x.slice(endX).map((text) => ({ op: ' ' as const, text }));
  const mx = x.slice(start, endX);
  const my = y.slice(start, endY);
  let middle: DiffLine[];
  if ((mx.length + 1) * (my.length + 1) > MAX_CELLS) {
    middle = [...mx.map((text) => ({ op: '-' as const, text })), ...my.map((text) => ({ op: '+' as const, text }))];
  } else {
    middle = lcs(mx, my);
  }
  return [...head, ...middle, ...tail];
}

function lcs(x: string[], y: string[]): DiffLine[] {
  const n = x.length;
  const m = y.length;
  const w = m + 1;
  const t = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) t[i * w + j] = x[i] === y[j] ? t[(i + 1) * w + j + 1]! + 1 : Math.max(t[(i + 1) * w + j]!, t[i * w + j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', text: x[i]! });
      i++;
      j++;
    } else if (t[(i + 1) * w + j]! >= t[i * w + j + 1]!) out.push({ op: '-', text: x[i++]! });
    else out.push({ op: '+', text: y[j++]! });
  }
  while (i < n) out.push({ op: '-', text: x[i++]! });
  while (j < m) out.push({ op: '+', text: y[j++]! });
  return out;
}

/** Unified-style text of a diff: `+ line`, `- line`, `  line`. */
export function diffText(lines: readonly DiffLine[]): string {
  return lines.map((l) => `${l.op} ${l.text}`).join('\n');
}
