import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  evaluateCondition,
  evaluateTemplate,
  hasExpression,
  parseDuration,
} from '../../src/workflow/expressions.js';
import type { ExpressionContext } from '../../src/workflow/types.js';

const ctx: ExpressionContext = {
  inputs: { n: 3, s: 'hello world', flag: false, o: { a: [1, 2], b: null }, list: ['x', 'y'] },
  steps: {
    files: {
      outputs: { text: 'a.ts\nb.ts', lines: ['a.ts', 'b.ts'], count: 2 },
      outcome: 'success',
      conclusion: 'success',
    },
    review: {
      outputs: [{ severity: 'minor' }, { severity: 'major' }],
      outcome: 'success',
      conclusion: 'success',
    },
  },
  env: { MODE: 'fast' },
  github: { event: { pull_request: { number: 12 } } },
  item: 'b.ts',
  index: 1,
  loop: { iteration: 2 },
};

describe('a string that is exactly one expression keeps the value type', () => {
  it.each([
    ['${{ inputs.n }}', 3],
    ['${{ inputs.flag }}', false],
    ['${{ inputs.o }}', { a: [1, 2], b: null }],
    ['${{ inputs.list }}', ['x', 'y']],
    ['${{ inputs.missing }}', null],
    ['${{ steps.files.outputs.lines }}', ['a.ts', 'b.ts']],
    ['${{ 1 == 1 }}', true],
    ['${{ item }}', 'b.ts'],
    ['${{ index }}', 1],
    ['${{ loop.iteration }}', 2],
    ['${{ fromJSON(\'{"k":[true]}\') }}', { k: [true] }],
    ['${{ steps.review.outputs.*.severity }}', ['minor', 'major']],
  ])('%s', (template, expected) => {
    expect(evaluateTemplate(template, ctx)).toEqual(expected);
  });
});

describe('text around expressions interpolates like GitHub', () => {
  it.each([
    ['[${{ null }}]', '[]'],
    ['[${{ inputs.missing }}]', '[]'],
    ['${{ true }}!', 'true!'],
    ['${{ 3.0 }} items', '3 items'],
    ['${{ 0.1 }}x', '0.1x'],
    ['v=${{ 1.50 }}', 'v=1.5'],
    ['n=${{ inputs.n }}, s=${{ inputs.s }}', 'n=3, s=hello world'],
    ['o=${{ inputs.list }}', 'o=[\n  "x",\n  "y"\n]'],
    ['o=${{ inputs.o }}', 'o={\n  "a": [\n    1,\n    2\n  ],\n  "b": null\n}'],
    ["${{ 'it''s' }} ok", "it's ok"],
    ["a ${{ '}}' }} b", 'a }} b'],
  ])('%s', (template, expected) => {
    expect(evaluateTemplate(template, ctx)).toEqual(expected);
  });

  it('leaves strings without expressions alone', () => {
    expect(evaluateTemplate('plain $HOME {{ x }}', ctx)).toBe('plain $HOME {{ x }}');
  });
});

describe('functions behave as in GitHub Actions', () => {
  it.each([
    ['${{ toJSON(inputs.list) }}', '[\n  "x",\n  "y"\n]'],
    ["${{ fromJSON('[1, 2]')[1] }}", 2],
    ["${{ fromJSON('3') }}", 3],
    ["${{ format('{0} of {1}, {{literal}}', index, 'two') }}", '1 of two, {literal}'],
    ["${{ join(inputs.list, ', ') }}", 'x, y'],
    ['${{ join(inputs.list) }}', 'x,y'],
    ["${{ contains(inputs.s, 'WORLD') }}", true],
    ["${{ contains(inputs.list, 'y') }}", true],
    ["${{ contains(inputs.list, 'z') }}", false],
    ["${{ startsWith(inputs.s, 'HELLO') }}", true],
    ["${{ endsWith(inputs.s, 'x') }}", false],
    ["${{ inputs.missing || 'fallback' }}", 'fallback'],
    ["${{ inputs.n == '3' }}", true],
    ['${{ steps.files.outputs.count >= 2 && env.MODE }}', 'fast'],
    ['${{ github.event.pull_request.number == 12 }}', true],
  ])('%s', (template, expected) => {
    expect(evaluateTemplate(template, ctx)).toEqual(expected);
  });
});

describe('evaluateTemplate goes deep', () => {
  it('resolves strings inside arrays and objects and keeps other values', () => {
    const value = { a: ['${{ inputs.n }}', 'x${{ inputs.n }}'], b: { c: '${{ item }}', d: 4, e: null } };
    expect(evaluateTemplate(value, ctx)).toEqual({ a: [3, 'x3'], b: { c: 'b.ts', d: 4, e: null } });
  });
});

describe('conditions', () => {
  it.each([
    ['inputs.n > 2', true],
    ['${{ inputs.n > 5 }}', false],
    ['inputs.flag', false],
    ['inputs.missing', false],
    ["''", false],
    ["'false'", true],
    ['0', false],
    ['inputs.list', true],
    ['inputs.o', true],
    ["env.MODE == 'FAST'", true],
    ["  ${{ steps.files.outcome == 'success' }}  ", true],
    ['${{ inputs.n }} > 5', true],
  ])('%s is %s', (condition, expected) => {
    expect(evaluateCondition(condition, ctx)).toBe(expected);
  });

  it('after a failure, only status functions make a step run', () => {
    const failed: ExpressionContext = { ...ctx, status: 'failure' };
    expect(evaluateCondition('true', failed)).toBe(false);
    expect(evaluateCondition('always()', failed)).toBe(true);
    expect(evaluateCondition('failure() && inputs.n == 3', failed)).toBe(true);
    expect(evaluateCondition('success()', failed)).toBe(false);
    expect(evaluateCondition('cancelled()', { ...ctx, status: 'cancelled' })).toBe(true);
  });
});

describe('errors', () => {
  it('an evaluation failure names the expression', () => {
    expect(() => evaluateTemplate("x ${{ fromJSON('{') }}", ctx)).toThrow(ExpressionError);
    expect(() => evaluateTemplate("x ${{ fromJSON('{') }}", ctx)).toThrow(
      /could not evaluate \$\{\{ fromJSON\('\{'\) \}\}/,
    );
  });

  it('a parse failure names the expression', () => {
    expect(() => evaluateTemplate('${{ foo.bar }}', ctx)).toThrow('unknown context "foo" in ${{ foo.bar }}');
    expect(() => evaluateCondition('inputs.n ==', ctx)).toThrow('invalid expression ${{ inputs.n == }}');
    expect(() => evaluateTemplate('${{ inputs.n', ctx)).toThrow('is not closed with "}}"');
  });
});

describe('hasExpression', () => {
  it('finds ${{ at any depth', () => {
    expect(hasExpression('a ${{ b }}')).toBe(true);
    expect(hasExpression({ x: [1, { y: '${{ z }}' }] })).toBe(true);
    expect(hasExpression({ x: [1, { y: '{{ z }}' }] })).toBe(false);
    expect(hasExpression(3)).toBe(false);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['90', 90_000],
    [45, 45_000],
    [0.25, 250],
    [' 2m 10s ', 130_000],
    ['7d', 604_800_000],
    ['1d12h', 129_600_000],
  ])('%s → %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 minutes', '-1s', '1w', 'm5', '1h30', -3, Number.NaN, Infinity])(
    '%s is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('a value read by name', () => {
  // `${{ item.title }}` is looked up without the evaluator; `${{ (item.title) }}` (a group) always goes
  // through it. Both must give the same value for any context and any path.
  const key = fc.constantFrom('a', 'A', 'b', 'title', 'Title', 'TITLE', '0', '1', 'x-y', 'length');
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 1 }),
      fc.date({ noInvalidDate: true }),
      fc.constant(undefined),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const context = fc.record({
    inputs: fc.dictionary(key, value, { maxKeys: 4 }),
    steps: fc.dictionary(
      key,
      fc.record({ outputs: value, outcome: fc.constant('success'), conclusion: fc.constant('success') }),
    ),
    env: fc.dictionary(key, fc.string()),
    github: fc.dictionary(key, value, { maxKeys: 4 }),
    item: value,
    index: fc.option(fc.nat(), { nil: undefined }),
  }) as fc.Arbitrary<ExpressionContext>;
  const path = fc.tuple(
    fc.constantFrom('item', 'Item', 'inputs', 'steps', 'env', 'github', 'index', 'loop'),
    fc.array(key, { maxLength: 3 }),
  );

  it('is what the evaluator gives, alone and inside text', () => {
    fc.assert(
      fc.property(context, path, (ctx, [name, members]) => {
        const chain = [
          name,
          ...members.map((member) =>
            /^\w+$/.test(member) && !/^\d/.test(member) ? `.${member}` : `['${member}']`,
          ),
        ].join('');
        const read = (text: string) => {
          try {
            return { value: evaluateTemplate(text, ctx) };
          } catch (error) {
            return { error: (error as Error).message.replace(/\(|\)/g, '') };
          }
        };
        expect(read(`\${{ ${chain} }}`)).toEqual(read(`\${{ (${chain}) }}`));
        expect(read(`<\${{ ${chain} }}>`)).toEqual(read(`<\${{ (${chain}) }}>`));
      }),
      { numRuns: 3000 },
    );
  });
});
