import { describe, expect, it } from 'vitest';
import { renderedAccept } from './createHttpGateway.js';

describe('rendered media type for the PACS', () => {
  it('turns a browser navigation Accept into one rendered type, and keeps a single named one', () => {
    expect(renderedAccept('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8')).toBe('image/jpeg');
    expect(renderedAccept('image/png')).toBe('image/png');
    expect(renderedAccept('image/webp,image/png,*/*')).toBe('image/png');
    expect(renderedAccept(undefined)).toBe('image/jpeg');
    expect(renderedAccept('text/html')).toBe('image/jpeg');
  });
});
