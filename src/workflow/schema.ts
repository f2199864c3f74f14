// Validation against schema/workflow.schema.json, with ajv's errors rewritten for people.
import type { ErrorObject } from 'ajv/dist/2020.js';
import workflowSchema from '../../schema/workflow.schema.json' with { type: 'json' };
import type { Path, YamlSource } from './source.js';
import type { Problem } from './types.js';
import { closest, didYouMean } from './suggest.js';
import { workflowValidator } from './schema-validator.js';
import { describe, isRecord } from './values.js';

export { describe, isRecord } from './values.js';

export const STEP_KINDS = ['agent', 'run', 'parallel', 'repeat', 'ask', 'uses'] as const;
const KIND_LIST = STEP_KINDS.join(', ');
const DURATION_PATTERN = workflowSchema.$defs.duration.pattern;
const DURATION_HINT = 'a duration like 30s, 5m, 1h30m, 250ms or a number of seconds';

/** Keys people put in the wrong place, with where they belong. */
const MISPLACED_KEYS: Record<string, string> = {
  stream:
    ': "stream" is set on a provider, for every call to it (providers: { fast: { type: openai, stream: true } })',
};

export function schemaProblems(value: unknown, source: YamlSource): Problem[] {
  const check = workflowValidator();
  if (check(value)) return [];
  const errors = check.errors ?? [];
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  // `promt` (did you mean "prompt"?) already explains why "prompt" is missing.
  const suggested = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties' || !isRecord(e.parentSchema)) continue;
    const known = isRecord(e.parentSchema['properties']) ? Object.keys(e.parentSchema['properties']) : [];
    const match = closest(String((e.params as Record<string, unknown>)['additionalProperty']), known);
    if (match !== undefined) suggested.add(`${e.instancePath}/${match}`);
  }
  const problems: Problem[] = [];
  for (const error of errors) {
    if (
      error.keyword === 'required' &&
      suggested.has(
        `${error.instancePath}/${String((error.params as Record<string, unknown>)['missingProperty'])}`,
      )
    ) {
      continue;
    }
    // A value of the wrong type makes every other error about it noise.
    if (error.keyword !== 'type' && typeErrorPaths.has(error.instancePath)) continue;
    // `agnet` (did you mean "agent"?) already explains why the step has no kind.
    if (
      error.keyword === 'oneOf' &&
      STEP_KINDS.some((kind) => suggested.has(`${error.instancePath}/${kind}`)) &&
      !STEP_KINDS.some((kind) => isRecord(error.data) && kind in error.data)
    ) {
      continue;
    }
    // The kind branches of a step report `required`; the `oneOf` error says it better.
    if (error.keyword === 'required' && error.schemaPath.includes('/oneOf/')) continue;
    problems.push(translate(error, source));
  }
  return problems;
}

function pathOf(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function translate(error: ErrorObject, source: YamlSource): Problem {
  const path = pathOf(error.instancePath);
  const parent = isRecord(error.parentSchema) ? error.parentSchema : {};
  const data: unknown = error.data;
  const label = labelOf(path);
  const isDuration = parent['pattern'] === DURATION_PATTERN;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = isRecord(parent['properties']) ? Object.keys(parent['properties']) : [];
      const hint = MISPLACED_KEYS[key] ?? didYouMean(key, known);
      return source.problem(
        [...path, key],
        `unknown key "${key}" in ${containerOf(path, source)}${hint}`,
        'key',
      );
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return source.problem(path, `${containerOf(path, source, false)} is missing "${missing}"`);
    }
    case 'oneOf': {
      const step = isRecord(data) ? data : {};
      const kinds = STEP_KINDS.filter((k) => k in step);
      if (kinds.length > 1) {
        const second = kinds[1] ?? '';
        return source.problem(
          [...path, second],
          `step has both ${kinds.map((k) => `"${k}"`).join(' and ')}; a step needs exactly one of ${KIND_LIST}`,
          'key',
        );
      }
      return source.problem(path, `step needs exactly one of ${KIND_LIST}`);
    }
    case 'type': {
      if (isStepItem(path)) {
        return source.problem(
          path,
          `step ${label} must be a mapping with "id" and one of ${KIND_LIST}, got ${describe(data)}`,
        );
      }
      if (isDuration) return source.problem(path, `${label} must be ${DURATION_HINT}, got ${describe(data)}`);
      if (parent['type'] === 'integer' && typeof parent['minimum'] === 'number') {
        return source.problem(
          path,
          `${label} must be an integer >= ${parent['minimum']}, got ${describe(data)}`,
        );
      }
      return source.problem(path, `${label} must be ${typeWords(parent['type'])}, got ${describe(data)}`);
    }
    case 'minimum':
    case 'exclusiveMinimum': {
      if (isDuration) return source.problem(path, `${label} must be ${DURATION_HINT}, got ${describe(data)}`);
      const op = error.keyword === 'minimum' ? '>=' : '>';
      const bound = String(params['limit']);
      const what = parent['type'] === 'integer' ? 'an integer' : 'a number';
      return source.problem(path, `${label} must be ${what} ${op} ${bound}, got ${describe(data)}`);
    }
    case 'pattern': {
      if (isDuration) return source.problem(path, `${label} must be ${DURATION_HINT}, got ${describe(data)}`);
      if (path[path.length - 1] === 'id') {
        return source.problem(
          path,
          `step id ${describe(data)} is not valid: use letters, digits, "_" and "-", starting with a letter or "_"`,
        );
      }
      return source.problem(path, `${label} ${error.message ?? 'is not valid'}`);
    }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'].map(String) : [];
      const hint = typeof data === 'string' ? didYouMean(data, allowed) : '';
      return source.problem(
        path,
        `${label} must be one of ${allowed.join(', ')}, got ${describe(data)}${hint}`,
      );
    }
    case 'minItems': {
      const what = path[path.length - 1] === 'options' ? 'value' : 'step';
      return source.problem(path, `${label} must list at least one ${what}`);
    }
    case 'minLength':
      return source.problem(path, `${label} must not be empty`);
    default:
      return source.problem(path, `${label} ${error.message ?? 'is not valid'}`);
  }
}

function isStepItem(path: Path): boolean {
  const parent = path[path.length - 2];
  return typeof path[path.length - 1] === 'number' && (parent === 'steps' || parent === 'parallel');
}

/** `"prompt"`, or `"for-each"[2]` for a list element. */
function labelOf(path: Path): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the workflow';
  if (typeof last === 'string') return `"${last}"`;
  const parent = path[path.length - 2];
  if (isStepItem(path)) return String(last + 1);
  return parent === undefined ? `item ${last + 1}` : `item ${last + 1} of "${String(parent)}"`;
}

/** What a mapping is, for "unknown key … in X" and "X is missing …". */
function containerOf(path: Path, source: YamlSource, withId = true): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === undefined) return 'the workflow';
  if (typeof last === 'number') {
    const id = source.node([...path, 'id'])?.toJSON() as unknown;
    return withId && typeof id === 'string' ? `step "${id}"` : 'step';
  }
  switch (parent) {
    case 'inputs':
      if (path.length === 2) return `input "${last}"`;
      break;
    case 'providers':
      if (path.length === 2) return `provider "${last}"`;
      break;
    case 'pricing':
      if (path.length === 2) return `pricing of "${last}"`;
      break;
    case 'phases':
      if (path.length === 2) return `phase "${last}"`;
      break;
  }
  return last;
}

function typeWords(type: unknown): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    null: 'null',
  };
  if (Array.isArray(type)) names['boolean'] = 'a boolean';
  const list = (Array.isArray(type) ? type : [type]).map((t) => names[String(t)] ?? String(t));
  return list.length <= 1
    ? (list[0] ?? 'valid')
    : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}
