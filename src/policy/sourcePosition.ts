// Cedar reports UTF-8 byte offsets; people read file:line:col (1-based, in characters).

export interface SourcePosition {
  line: number;
  col: number;
}

/** Maps byte offsets of one text to line/column. */
export function sourcePositions(text: string): (byteOffset: number) => SourcePosition {
  const bytes = Buffer.from(text, 'utf8');
  return (byteOffset) => {
    const clamped = Math.max(0, Math.min(byteOffset, bytes.length));
    const before = bytes.subarray(0, clamped).toString('utf8');
    const lastNl = before.lastIndexOf('\n');
    let line = 1;
    for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
    return { line, col: before.length - lastNl };
  };
}

/** Line/column of a character index. */
export function positionOfIndex(text: string, index: number): SourcePosition {
  let line = 1;
  let lastNl = -1;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastNl = i;
    }
  }
  return { line, col: index - lastNl };
}
