// What an `ask` step accepts as an answer: its `answer:` (shorthand or JSON Schema) as one JSON Schema,
// and the check every answer passes before anything is written, wherever it comes from (a person on the
// CLI, a comment, a dispatch form, a journal).
import type { Ajv, ValidateFunction } from 'ajv';
import { jsonSchemaSupport } from './json-schema-support.js';
import { isRecord } from './values.js';

export type AnswerSchema = Record<string, unknown>;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction | string>();

/** `boolean`, `{ options: [...] }`, ... as a JSON Schema; an object without `options` is one already. */
export function answerSchema(spec: unknown): AnswerSchema {
  if (spec === undefined || spec === null) return { type: 'string' };
  if (typeof spec === 'string') return { type: spec };
  if (isRecord(spec) && Array.isArray(spec['options'])) return { enum: spec['options'] };
  return isRecord(spec) ? spec : { type: 'string' };
}

function validatorFor(schema: AnswerSchema): ValidateFunction | string {
  const key = JSON.stringify(schema);
  let found = validators.get(key);
  if (found === undefined) {
    ajv ??= jsonSchemaSupport().valueValidator();
    const { $schema: _draft, ...rest } = schema;
    try {
      found = ajv.compile(rest);
    } catch (error) {
      found = error instanceof Error ? error.message : String(error);
    }
    validators.set(key, found);
  }
  return found;
}

/** Why `schema` is not a usable JSON Schema, or undefined. */
export function answerSchemaProblem(schema: AnswerSchema): string | undefined {
  const found = validatorFor(schema);
  return typeof found === 'string' ? found : undefined;
}

/** Why `value` is not an answer `schema` accepts, in plain words; undefined when it is. */
export function answerProblem(schema: AnswerSchema, value: unknown): string | undefined {
  const validate = validatorFor(schema);
  if (typeof validate === 'string') return `the step's answer schema is not valid: ${validate}`;
  if (value === undefined) return 'no value';
  if (validate(value)) return undefined;
  const errors = (validate.errors ?? []).map((error) => {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    const where = error.instancePath ? `${error.instancePath} ` : '';
    return allowed
      ? `${where}must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
      : `${where}${error.message ?? 'is not valid'}`;
  });
  return [...new Set(errors)].join('; ');
}

/**
 * An answer typed as text (a CLI argument, a comment, a form field) read as the schema expects it:
 * `true`/`false` for a boolean, a number for a number, JSON for objects and arrays, the option whose
 * text it is for `options`. Text that reads as nothing else stays text, and the schema then judges it.
 */
export function answerFromText(schema: AnswerSchema, text: string): unknown {
  const enumValues = Array.isArray(schema['enum']) ? (schema['enum'] as unknown[]) : undefined;
  if (enumValues) {
    const match = enumValues.find((option) => option === text) ?? enumValues.find((o) => String(o) === text);
    return match ?? text;
  }
  const types = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : [schema['type']];
  if (types.includes('string')) return text;
  const trimmed = text.trim();
  if (types.includes('boolean') && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  if ((types.includes('number') || types.includes('integer')) && trimmed !== '' && !isNaN(Number(trimmed))) {
    return Number(trimmed);
  }
  if (types.includes('object') || types.includes('array') || schema['type'] === undefined) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** `true`, `"yes"`, `{ options: [a, b] }`: how an answer schema reads in a message. */
export function describeAnswerSchema(schema: AnswerSchema): string {
  if (Array.isArray(schema['enum']))
    return `one of ${(schema['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (typeof schema['type'] === 'string' && Object.keys(schema).length === 1) return `a ${schema['type']}`;
  return `JSON matching ${JSON.stringify(schema)}`;
}
