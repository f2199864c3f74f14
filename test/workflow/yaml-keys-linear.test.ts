// Validation time must not grow with the square of the keys in one mapping (issue 13: 40k keys took 11 s).
// Measured without a clock: the YAML parser's own duplicate check compares keys pairwise; every such
// comparison is counted here, and the loader's own check must leave the count linear (in fact zero).
import { isScalar, type ParseOptions } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { formatProblem, loadWorkflowText } from '../../src/workflow/loader.js';

let comparisons = 0;
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return {
    ...yaml,
    parseDocument: (text: string, options: ParseOptions & Record<string, unknown> = {}) => {
      // The parser's default comparison (`uniqueKeys: true`), counted.
      const unique = options.uniqueKeys ?? true;
      const counted =
        unique === true
          ? (a: unknown, b: unknown) => {
              comparisons++;
              return a === b || (isScalar(a) && isScalar(b) && a.value === b.value);
            }
          : unique;
      return yaml.parseDocument(text, { ...options, uniqueKeys: counted });
    },
  };
});

describe('keys of one large mapping', () => {
  it('are checked for duplicates in linear work', () => {
    const count = 2_000;
    const keys = Array.from({ length: count }, (_, index) => `  K${index}: v`);
    keys.push('  K7: again');
    const text = `name: big\nenv:\n${keys.join('\n')}\nsteps:\n  - id: a\n    run: echo hi\n`;
    comparisons = 0;
    const problems = loadWorkflowText(text, 'w.yml').problems.map(formatProblem);
    expect(problems).toEqual([`w.yml:${count + 3}:3: duplicate key "K7"`]);
    expect(comparisons).toBeLessThan(4 * count);
  });
});
