// Turns the inputs a run is given (CLI strings, or typed values from the action) into checked values.
import { parse as parseYaml } from 'yaml';
import { checkInputValue } from './input-values.js';
import { didYouMean } from './suggest.js';
import type { InputDef, WorkflowDef } from './types.js';

export interface ResolvedInputs {
  values: Record<string, unknown>;
  problems: string[];
}

/**
 * Applies defaults, checks required inputs, types and enum options, and rejects unknown names.
 * With `fromStrings`, string values are read as the input's type (`"3"` → 3, `"true"` → true,
 * arrays and objects as JSON or YAML), as they come from `--input name=value`.
 */
export function resolveInputs(
  workflow: Pick<WorkflowDef, 'inputs'>,
  given: Record<string, unknown>,
  opts: { fromStrings: boolean },
): ResolvedInputs {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const byName = new Map(workflow.inputs.map((def) => [def.name, def]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      const declared = [...byName.keys()];
      const hint =
        didYouMean(name, declared) ||
        (declared.length ? ` (inputs: ${declared.join(', ')})` : ' (the workflow has no inputs)');
      problems.push(`unknown input "${name}"${hint}`);
    }
  }
  for (const def of workflow.inputs) {
    const raw = Object.hasOwn(given, def.name) ? given[def.name] : undefined;
    if (raw === undefined) {
      if (def.default !== undefined && def.default !== null) values[def.name] = def.default;
      else if (def.required) problems.push(`input "${def.name}" is required`);
      continue;
    }
    const value = opts.fromStrings && typeof raw === 'string' ? coerce(def, raw) : raw;
    const problem = checkInputValue(def.name, def, value);
    if (problem) problems.push(problem);
    else values[def.name] = value;
  }
  return { values, problems };
}

function coerce(def: InputDef, text: string): unknown {
  switch (def.type) {
    case 'number': {
      const trimmed = text.trim();
      const n = Number(trimmed);
      return trimmed === '' || !Number.isFinite(n) ? text : n;
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : text;
    }
    case 'array':
    case 'object':
      try {
        // YAML is a superset of JSON, so this reads both.
        const parsed: unknown = parseYaml(text);
        return parsed ?? text;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * Reads a YAML or JSON map of inputs (an `--inputs-file`, the action's `inputs:`). Typed YAML values
 * become the strings a person would type, so the workflow's declared input types decide, exactly as for
 * `--input name=value` (`pr: 12` fits both `type: number` and `type: string`).
 */
export function parseInputsMap(text: string): { values: Record<string, string> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (caught) {
    return { error: `not valid YAML or JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
  if (parsed === null || parsed === undefined) return { values: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: 'expected a map of input names to values' };
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    values[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { values };
}
