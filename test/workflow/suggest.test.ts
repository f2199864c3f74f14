import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/workflow/suggest.js';

describe('did you mean', () => {
  it.each([
    ['promt', 'prompt', 1],
    ['titel', 'title', 1],
    ['contiue-on-error', 'continue-on-error', 1],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('distance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('suggests only close names', () => {
    expect(didYouMean('promt', ['prompt', 'system'])).toBe(' (did you mean "prompt"?)');
    expect(didYouMean('Prompt', ['prompt'])).toBe(' (did you mean "prompt"?)');
    expect(didYouMean('nope', ['mode'])).toBe('');
    expect(didYouMean('xyz', [])).toBe('');
  });
});
