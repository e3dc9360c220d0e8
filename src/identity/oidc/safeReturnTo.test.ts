import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './safeReturnTo.js';

describe('safeReturnTo', () => {
  it.each([
    ['/', '/'],
    ['/studies', '/studies'],
    ['/studies?q=1#top', '/studies?q=1#top'],
    ['/a/../b', '/b'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    ['//evil.example/x'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['studies'],
    ['/\t/evil.example'],
    ['/%0a'.replace('%0a', '\n')],
    [''],
    [null],
    [undefined],
    ['/' + 'a'.repeat(3000)],
  ])('sends %j back to /', (input) => {
    expect(safeReturnTo(input)).toBe('/');
  });
});
