// The rule that no value is ever parsed as code. The text of a script (`run:`, and anything else a
// shell or interpreter reads as source) is fixed when the workflow is written: a `${{ }}` in it may
// only produce a constant the author chose (a literal, a number/boolean/enum input, `index`,
// `loop.iteration`, or a step's `outcome`/`conclusion`, which the engine sets to one of four words).
// Every other value reaches the script as data, through an environment variable.
import type { ContextRef, ParsedExpression } from './expressions.js';
import type { InputDef, InputType } from './types.js';

/** Input types whose values cannot carry shell syntax: numbers, booleans, and enum options the author wrote. */
const CONSTANT_INPUT_TYPES: ReadonlySet<InputType> = new Set(['number', 'boolean', 'enum']);

export type InputTypes = ReadonlyMap<string, InputType>;

export function inputTypesOf(inputs: readonly Pick<InputDef, 'name' | 'type'>[]): InputTypes {
  return new Map(inputs.map((input) => [input.name, input.type]));
}

/** Whether a reference yields only values the workflow's author fixed (so it may be spliced into source). */
function isConstantRef(ref: ContextRef, inputs: InputTypes): boolean {
  const [first, ...rest] = ref.path;
  switch (ref.context.toLowerCase()) {
    case 'index':
      return ref.path.length === 0;
    case 'loop':
      return first === 'iteration' && rest.length === 0;
    case 'steps':
      return (
        typeof first === 'string' &&
        first !== '*' &&
        rest.length === 1 &&
        (rest[0] === 'outcome' || rest[0] === 'conclusion')
      );
    case 'inputs': {
      const type = typeof first === 'string' ? inputs.get(first) : undefined;
      return type !== undefined && CONSTANT_INPUT_TYPES.has(type) && rest.length === 0;
    }
    default:
      return false;
  }
}

/** The first reference of an expression whose value is data (not fixed by the author), if any. */
export function dataRef(expr: ParsedExpression, inputs: InputTypes): ContextRef | undefined {
  return expr.refs.find((ref) => !isConstantRef(ref, inputs));
}

/**
 * Why a `${{ }}` cannot stand in script text, with the exact fix for the step's shell; undefined when
 * the expression is a constant. `what` names the place, e.g. `"run"`.
 */
export function scriptExpressionProblem(
  expr: ParsedExpression,
  inputs: InputTypes,
  what: string,
  shell: string | undefined,
): string | undefined {
  const ref = dataRef(expr, inputs);
  if (ref === undefined) return undefined;
  const shown = `\${{ ${expr.source} }}`;
  const envOnly = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/i.exec(expr.source.trim());
  if (envOnly?.[1] !== undefined) {
    return (
      `${shown} in ${what} would be parsed as code; the variable is already in the script's environment: ` +
      `use ${envReference(envOnly[1], shell)} instead`
    );
  }
  const name = variableName(ref);
  return (
    `${shown} in ${what} would be parsed as code (${describeSource(ref, inputs)} is not fixed when the workflow is written); ` +
    `pass it as data: env: { ${name}: "${shown}" } and use ${envReference(name, shell)} in the script`
  );
}

function describeSource(ref: ContextRef, inputs: InputTypes): string {
  const first = ref.path[0];
  switch (ref.context.toLowerCase()) {
    case 'inputs': {
      const type = typeof first === 'string' ? inputs.get(first) : undefined;
      return type === undefined ? 'an input' : `input "${String(first)}" is a ${type}, and its text`;
    }
    case 'item':
      return 'the item';
    case 'steps':
      return 'a step output';
    case 'github':
      return 'event data';
    case 'env':
      return 'the environment';
    default:
      return 'its value';
  }
}

/** An env var name from the reference: `steps.review.outputs.text` → TEXT, `item` → ITEM. */
function variableName(ref: ContextRef): string {
  const named = [...ref.path]
    .reverse()
    .find((s): s is string => typeof s === 'string' && s !== '*' && s !== 'outputs');
  const base = (named ?? ref.context).toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(base) ? `_${base}` : base;
}

/** How a script in this shell reads an environment variable, quoted so its value stays one word. */
export function envReference(name: string, shell: string | undefined): string {
  const program = (shell ?? 'bash').trim().split(/\s+/)[0] ?? 'bash';
  const base = program.split(/[\\/]/).at(-1) ?? program;
  if (base === 'pwsh' || base === 'powershell') return `$env:${name}`;
  if (base.startsWith('python')) return `os.environ["${name}"]`;
  if (base === 'node') return `process.env.${name}`;
  return `"$${name}"`;
}
