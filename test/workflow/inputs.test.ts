import { describe, expect, it } from 'vitest';
import { parseInputsMap, resolveInputs } from '../../src/workflow/inputs.js';
import type { InputDef } from '../../src/workflow/types.js';

const input = (name: string, type: InputDef['type'], extra: Partial<InputDef> = {}): InputDef => ({
  name,
  type,
  required: false,
  secret: false,
  ...extra,
});

const workflow = {
  inputs: [
    input('pr', 'number', { required: true }),
    input('draft', 'boolean', { default: false }),
    input('title', 'string'),
    input('files', 'array', { default: ['a'] }),
    input('config', 'object'),
    input('mode', 'enum', { options: ['fast', 'thorough'], default: 'fast' }),
  ],
};

describe('inputs from the CLI (strings)', () => {
  const resolve = (given: Record<string, unknown>) => resolveInputs(workflow, given, { fromStrings: true });

  it('reads each string as its input type and applies defaults', () => {
    expect(
      resolve({
        pr: '12',
        title: '42',
        config: '{"a": 1}',
        files: '[x, y]',
        draft: 'TRUE',
        mode: 'thorough',
      }),
    ).toEqual({
      values: { pr: 12, draft: true, title: '42', files: ['x', 'y'], config: { a: 1 }, mode: 'thorough' },
      problems: [],
    });
    expect(resolve({ pr: '3.5' })).toEqual({
      values: { pr: 3.5, draft: false, files: ['a'], mode: 'fast' },
      problems: [],
    });
    expect(resolve({ pr: '1', config: 'a: 1\nb: [2]' }).values['config']).toEqual({ a: 1, b: [2] });
  });

  it('names type mismatches plainly', () => {
    expect(resolve({ pr: 'abc' }).problems).toEqual(['input "pr" must be a number, got "abc"']);
    expect(resolve({ pr: '' }).problems).toEqual(['input "pr" must be a number, got ""']);
    expect(resolve({ pr: '1', draft: 'yes' }).problems).toEqual([
      'input "draft" must be true or false, got "yes"',
    ]);
    expect(resolve({ pr: '1', files: '{a: 1}' }).problems).toEqual([
      'input "files" must be a list, got a mapping',
    ]);
    expect(resolve({ pr: '1', files: '[1,' }).problems).toEqual(['input "files" must be a list, got "[1,"']);
    expect(resolve({ pr: '1', config: '[1]' }).problems).toEqual([
      'input "config" must be a mapping, got a list',
    ]);
  });

  it('checks enum membership', () => {
    expect(resolve({ pr: '1', mode: 'slow' }).problems).toEqual([
      'input "mode" must be one of fast, thorough, got "slow"',
    ]);
  });

  it('requires required inputs and rejects unknown names with a hint', () => {
    expect(resolve({}).problems).toEqual(['input "pr" is required']);
    expect(resolve({ pr: '1', titel: 'x' }).problems).toEqual([
      'unknown input "titel" (did you mean "title"?)',
    ]);
    expect(resolve({ pr: '1', zzz: 'x' }).problems).toEqual([
      'unknown input "zzz" (inputs: pr, draft, title, files, config, mode)',
    ]);
    expect(resolveInputs({ inputs: [] }, { x: '1' }, { fromStrings: true }).problems).toEqual([
      'unknown input "x" (the workflow has no inputs)',
    ]);
  });
});

describe('typed inputs (from the action or an API)', () => {
  const resolve = (given: Record<string, unknown>) => resolveInputs(workflow, given, { fromStrings: false });

  it('does not coerce strings', () => {
    expect(resolve({ pr: '12' }).problems).toEqual(['input "pr" must be a number, got "12"']);
    expect(resolve({ pr: 12, title: 'x' })).toEqual({
      values: { pr: 12, draft: false, title: 'x', files: ['a'], mode: 'fast' },
      problems: [],
    });
  });

  it('an explicit value replaces the default', () => {
    expect(resolve({ pr: 1, files: [] }).values['files']).toEqual([]);
  });
});

describe('parseInputsMap', () => {
  it('turns typed YAML values into the strings a person would type', () => {
    expect(parseInputsMap('pr: 12\ndraft: false\nfiles: [a.ts, b.ts]\ntitle: Fix it\n')).toEqual({
      values: { pr: '12', draft: 'false', files: '["a.ts","b.ts"]', title: 'Fix it' },
    });
    expect(parseInputsMap('{"pr": 3}')).toEqual({ values: { pr: '3' } });
    expect(parseInputsMap('')).toEqual({ values: {} });
  });

  it('names what is wrong with a bad map', () => {
    expect(parseInputsMap('- a\n- b\n')).toEqual({ error: 'expected a map of input names to values' });
    expect(parseInputsMap('pr: [1, 2')).toMatchObject({
      error: expect.stringMatching(/^not valid YAML or JSON: /),
    });
  });

  it('round-trips through resolveInputs into the declared types', () => {
    const workflow = {
      inputs: [
        { name: 'pr', type: 'number' as const, required: true, secret: false },
        { name: 'files', type: 'array' as const, required: true, secret: false },
        { name: 'label', type: 'string' as const, required: true, secret: false },
      ],
    };
    const parsed = parseInputsMap('pr: 12\nfiles: [a.ts]\nlabel: 7\n');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(resolveInputs(workflow, parsed.values, { fromStrings: true })).toEqual({
      values: { pr: 12, files: ['a.ts'], label: '7' },
      problems: [],
    });
  });
});
