// Whatever text it gets, the loader answers with a workflow or with located problems; it never throws.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderMermaid } from '../../src/workflow/graph.js';
import { loadWorkflowText } from '../../src/workflow/loader.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const seeds = [
  readFileSync(path.join(fixtures, 'valid', 'full.yml'), 'utf8'),
  readFileSync(path.join(fixtures, 'valid', 'minimal.yml'), 'utf8'),
  readFileSync(path.join(fixtures, 'invalid', 'many-problems-sorted.yml'), 'utf8'),
];
const seedValues: unknown[] = seeds.map((s) => parse(s) as unknown);

function checkResult(text: string): void {
  const result = loadWorkflowText(text, 'fuzz.yml');
  if (result.workflow) {
    expect(result.problems).toEqual([]);
    expect(typeof renderMermaid(result.workflow)).toBe('string');
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p.file).toBe('fuzz.yml');
    expect(Number.isInteger(p.line) && p.line >= 1).toBe(true);
    expect(Number.isInteger(p.column) && p.column >= 1).toBe(true);
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
    // The loader's safety net turns its own bugs into problems; the fuzzer must never reach it.
    expect(p.message).not.toMatch(/^internal error/);
  }
}

const KEYS = [
  'id',
  'run',
  'agent',
  'prompt',
  'steps',
  'repeat',
  'parallel',
  'for-each',
  'until',
  'max',
  'if',
  'env',
];
const nastyStrings = fc.constantFrom(
  '${{',
  '${{ }}',
  '${{ steps.files.outputs }}',
  '${{ item }}',
  '${{ loop.iteration }}',
  "${{ fromJSON('{') }}",
  '${{ github.event.issue.title }}',
  '${{ inputs.pr ==',
  '}}',
  '5 minutes',
  '1h30m',
  '',
  '*a',
  '&a x',
  '<<: *a',
  '!!binary x',
);
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  nastyStrings,
  fc.constantFrom(null, -1, 0, 1.5, true, [], {}),
);

/** One structural change: walk down by `route`, then delete, duplicate, rename, replace or add an entry. */
interface Mutation {
  route: number[];
  op: number;
  key: string;
  value: unknown;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  route: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.nat(4),
  key: fc.constantFrom(...KEYS),
  value: anyValue,
});

function applyMutation(value: unknown, m: Mutation, depth = 0): unknown {
  const step = m.route[depth];
  if (Array.isArray(value)) {
    if (value.length > 0 && step !== undefined) {
      const copy = [...value];
      const i = step % copy.length;
      copy[i] = applyMutation(copy[i], m, depth + 1);
      return copy;
    }
    const copy = [...value];
    const i = m.op % Math.max(1, copy.length);
    if (m.op === 0) copy.splice(i, 1);
    else if (m.op === 1) copy.splice(i, 0, copy[i]);
    else copy.splice(i, 0, m.value);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const record = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(record);
    const key = keys.length > 0 && step !== undefined ? keys[step % keys.length] : undefined;
    if (key !== undefined && depth < m.route.length - 1) {
      record[key] = applyMutation(record[key], m, depth + 1);
      return record;
    }
    if (key === undefined) {
      record[m.key] = m.value;
    } else if (m.op === 0) {
      delete record[key];
    } else if (m.op === 1) {
      record[`${key.slice(0, -1)}${m.key.slice(-1)}`] = record[key];
      delete record[key];
    } else if (m.op === 2) {
      record[m.key] = record[key];
    } else {
      record[key] = m.value;
    }
    return record;
  }
  return m.value;
}

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.string({ maxLength: 8 }), nastyStrings),
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
);

function applyTextEdit(text: string, edit: TextEdit): string {
  const at = text.length === 0 ? 0 : edit.at % (text.length + 1);
  switch (edit.kind) {
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'bytes':
      return text.slice(0, at) + Buffer.from(edit.bytes).toString('latin1') + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + edit.length);
    case 'duplicateLine': {
      const lines = text.split('\n');
      const i = edit.at % Math.max(1, lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
  }
}
type TextEdit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicateLine'; at: number };

describe('the loader never throws and always locates its problems', () => {
  it('on structural mutations of valid workflows (deleted, duplicated, renamed keys, swapped types)', () => {
    fc.assert(
      fc.property(
        fc.nat(seedValues.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (s, mutations) => {
          checkResult(
            stringify(mutations.reduce<unknown>((value, m) => applyMutation(value, m), seedValues[s])),
          );
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on text mutations of workflow files (random bytes, deletions, duplicated lines, ${{)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(textEdit, { minLength: 1, maxLength: 4 }),
        (seed, edits) => {
          checkResult(edits.reduce<string>((text, edit) => applyTextEdit(text, edit), seed));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on random YAML and random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((v) => stringify(v)),
          fc.string({ maxLength: 200 }),
          fc
            .record({ name: fc.string(), steps: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) })
            .map((v) => stringify(v)),
        ),
        checkResult,
      ),
      { numRuns: 1000 },
    );
  });
});
