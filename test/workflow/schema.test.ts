// The JSON Schema is what editors autocomplete from; it must stay complete and agree with the loader.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import schema from '../../schema/workflow.schema.json' with { type: 'json' };
import { loadWorkflowText } from '../../src/workflow/loader.js';
import { STEP_KINDS } from '../../src/workflow/schema.js';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every `properties` entry in the schema, with its JSON pointer. */
function properties(node: unknown, at = '#'): [string, Node][] {
  if (!isNode(node)) return [];
  const out: [string, Node][] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isNode(value)) {
      for (const [name, prop] of Object.entries(value))
        if (isNode(prop)) out.push([`${at}/properties/${name}`, prop]);
    }
    out.push(...properties(value, `${at}/${key}`));
  }
  return out;
}

describe('schema/workflow.schema.json', () => {
  it('is a valid draft 2020-12 schema under strict mode', () => {
    const ajv = new Ajv2020({
      strict: true,
      strictRequired: false,
      strictTypes: false,
      allowUnionTypes: true,
    });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('describes every key', () => {
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(60);
    const undocumented = all.filter(
      ([, prop]) => typeof prop['description'] !== 'string' || prop['description'] === '',
    );
    expect(undocumented.map(([at]) => at)).toEqual([]);
  });

  it('closes every object with fixed keys', () => {
    const open = properties(schema)
      .map(([at, prop]) => [at, prop] as const)
      .concat(Object.entries(schema.$defs).map(([name, def]) => [`#/$defs/${name}`, def as Node] as const))
      .filter(
        ([at, prop]) =>
          isNode(prop['properties']) && prop['additionalProperties'] !== false && !at.endsWith('/with'),
      );
    expect(open.map(([at]) => at)).toEqual([]);
  });

  it('names the same step kinds as the loader', () => {
    const kinds = schema.$defs.step.oneOf.map((branch) => branch.required[0]);
    expect(kinds).toEqual([...STEP_KINDS]);
  });
});

describe('YAML edge cases', () => {
  it('an alias bomb is a problem, not a hang or a crash', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(
        `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    const result = loadWorkflowText(
      `${lines.join('\n')}\nname: bomb\nsteps: [{ id: s, run: echo }]\n`,
      'bomb.yml',
    );
    expect(result.workflow).toBeUndefined();
    expect(result.problems[0]?.message).toMatch(/^cannot read the YAML: /);
  });

  it('several YAML documents in one file are a problem', () => {
    const result = loadWorkflowText('name: a\nsteps: [{ id: s, run: echo }]\n---\nname: b\n', 'two.yml');
    expect(result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '3:1: YAML syntax: source contains multiple documents; please use YAML.parseAllDocuments()',
    ]);
  });
});
