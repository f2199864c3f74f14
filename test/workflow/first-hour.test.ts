// Validation messages a newcomer meets: names of JavaScript's own, a GitHub Actions workflow given by
// mistake, `stream:` in the wrong place, cyclic aliases, duplicate keys in a very large mapping.
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowText } from '../../src/workflow/loader.js';

const problems = (text: string) => loadWorkflowText(text, 'w.yml').problems.map(formatProblem);

describe('names JavaScript objects already have', () => {
  it('are rejected as step ids, input names and other declared names', () => {
    expect(
      problems(`name: p
inputs:
  constructor: { type: string, default: a }
  __proto__: { type: string, default: b }
steps:
  - id: toString
    run: echo hi
  - id: __proto__
    run: echo hi
outputs:
  hasOwnProperty: \${{ steps.toString.outputs.text }}
`),
    ).toEqual([
      'w.yml:3:3: name "constructor" in "inputs" is reserved (every JavaScript object has a property of that name); choose another name',
      'w.yml:4:3: name "__proto__" in "inputs" is reserved (every JavaScript object has a property of that name); choose another name',
      'w.yml:6:9: step id "toString" is reserved (every JavaScript object has a property of that name); choose another name',
      'w.yml:8:9: step id "__proto__" is reserved (every JavaScript object has a property of that name); choose another name',
      'w.yml:11:3: name "hasOwnProperty" in "outputs" is reserved (every JavaScript object has a property of that name); choose another name',
    ]);
  });
});

describe('a GitHub Actions workflow given to validate', () => {
  it('gets one message saying what it is, not an unknown key per line', () => {
    expect(
      problems(`name: CI
on: [push]
permissions: { contents: read }
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm test
`),
    ).toEqual([
      'w.yml:4:1: this is a GitHub Actions workflow (it has "on" and "jobs"), not a reprise workflow: ' +
        'run it with the reprise action (uses: OWNER/reprise@v1, with: workflow: <reprise file>) or give validate the reprise workflow file',
    ]);
  });
});

describe('keys in the wrong place', () => {
  it('`stream:` on an agent step says it belongs on a provider', () => {
    const found = problems(`name: s
steps:
  - id: a
    agent: { prompt: hi, model: gpt-4.1-mini, stream: true }
`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^w\.yml:4:47: unknown key "stream" in agent: "stream" is set on a provider/);
  });
});

describe('YAML aliases', () => {
  it('a cyclic alias is a located problem, not an internal error', () => {
    const found = problems(`name: c
env: &loop
  A: *loop
steps:
  - id: a
    run: echo hi
`);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toContain('internal error');
    expect(found[0]).toMatch(/^w\.yml:3:6: .*alias "loop" refers to the mapping that contains it/);
  });
});

describe('a very large mapping', () => {
  it('still finds a duplicate key (checked with one set per mapping, in linear time)', () => {
    const keys = Array.from({ length: 40_000 }, (_, index) => `  K${index}: v`);
    keys.push('  K7: again');
    const found = problems(`name: big\nenv:\n${keys.join('\n')}\nsteps:\n  - id: a\n    run: echo hi\n`);
    expect(found).toEqual(['w.yml:40003:3: duplicate key "K7"']);
  });
});

describe('retired models', () => {
  it('validate warns about a model the price table marks retired, with its successor', async () => {
    const { retiredModelWarnings } = await import('../../src/workflow/models.js');
    const { YamlSource } = await import('../../src/workflow/source.js');
    const text = `name: r
defaults: { provider: anthropic, model: claude-sonnet-4-5 }
steps:
  - id: a
    agent: { prompt: hi, model: "anthropic:claude-sonnet-4-5-20250929" }
  - id: b
    agent: { prompt: hi, model: claude-sonnet-4-6 }
`;
    const loaded = loadWorkflowText(text, 'w.yml');
    expect(loaded.problems).toEqual([]);
    expect(loaded.warnings?.map(formatProblem)).toEqual([
      'w.yml:2:41: model "claude-sonnet-4-5" was retired on 2026-11-30 (calls to it fail): use claude-sonnet-4-6',
      'w.yml:5:33: model "claude-sonnet-4-5-20250929" was retired on 2026-11-30 (calls to it fail): use claude-sonnet-4-6',
    ]);
    const before = retiredModelWarnings(
      { model: 'claude-sonnet-4-5' },
      new YamlSource('model: claude-sonnet-4-5', 'x.yml'),
      new Date('2026-06-01'),
    );
    expect(before.map((warning) => warning.message)).toEqual([
      'model "claude-sonnet-4-5" will be retired on 2026-11-30: use claude-sonnet-4-6',
    ]);
  });

  it('no shipped example, GitHub workflow or README snippet names one', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '../..');
    const files = [
      ...readdirSync(join(root, 'examples'))
        .filter((name) => name.endsWith('.yml'))
        .map((name) => join(root, 'examples', name)),
      ...readdirSync(join(root, '.github/reprise')).map((name) => join(root, '.github/reprise', name)),
    ];
    for (const file of files) {
      const loaded = loadWorkflowText(readFileSync(file, 'utf8'), file);
      expect(loaded.warnings?.filter((warning) => warning.message.includes('retired')) ?? [], file).toEqual(
        [],
      );
    }
    expect(readFileSync(join(root, 'README.md'), 'utf8')).not.toMatch(/claude-sonnet-4-5/);
  });
});
