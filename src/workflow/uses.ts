// `uses:` steps at validation: the called workflow is loaded with the caller (its own problems reported
// in its own file), its `with:` checked against the inputs it declares, and cycles refused.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkInputValue } from './input-values.js';
import { isRecord } from './values.js';
import type { Path, YamlSource } from './source.js';
import { didYouMean } from './suggest.js';
import type { InputDef, InputType, Problem, SourceLocation, WorkflowDef } from './types.js';

/** A called workflow as the loader produced it. */
export interface LoadedCallee {
  workflow?: WorkflowDef;
  problems: Problem[];
  /** Where each declared input is written, for messages that point at both files. */
  inputAt: (name: string) => SourceLocation;
}

/** What loading one file needs to load the files it calls. */
export interface UsesContext {
  /** Absolute paths of the files calling this one, outermost first (for cycle detection). */
  stack: string[];
  /** Callees already loaded during this validation, by absolute path. */
  cache: Map<string, LoadedCallee>;
  /** Loads a called file (display path as given, absolute path), with this context extended. */
  load: (display: string, absolute: string, context: UsesContext) => LoadedCallee;
}

export interface UsesCheck {
  problems: Problem[];
  /** The called workflow of each `uses` step, by step id. */
  callees: Map<string, WorkflowDef>;
}

/** Every `uses:` step of a raw workflow that passed the schema: its file, its inputs, cycles. */
export function checkUses(
  raw: Record<string, unknown>,
  source: YamlSource,
  file: string,
  context: UsesContext,
): UsesCheck {
  const problems: Problem[] = [];
  const callees = new Map<string, WorkflowDef>();
  const absolute = path.resolve(file);
  const visit = (steps: unknown, at: Path): void => {
    if (!Array.isArray(steps)) return;
    steps.forEach((step, i) => {
      if (!isRecord(step)) return;
      const stepPath = [...at, i];
      if (Array.isArray(step['parallel'])) visit(step['parallel'], [...stepPath, 'parallel']);
      const repeat = step['repeat'];
      if (isRecord(repeat)) visit(repeat['steps'], [...stepPath, 'repeat', 'steps']);
      if (typeof step['uses'] !== 'string') return;
      const report = (where: Path, message: string, as: 'key' | 'value' = 'value') =>
        problems.push(source.problem([...stepPath, ...where], message, as));
      const uses = step['uses'];
      if (!/^\.\.?\//.test(uses)) {
        report(
          ['uses'],
          `"uses" must be a path relative to this file, starting with ./ or ../ (got "${uses}")`,
        );
        return;
      }
      const target = path.resolve(path.dirname(absolute), uses);
      const display = path.join(path.dirname(file), uses);
      const chain = [...context.stack, absolute];
      if (chain.includes(target)) {
        const names = [...chain.slice(chain.indexOf(target)), target].map((f) =>
          path.relative(path.dirname(absolute), f),
        );
        report(['uses'], `workflows call each other in a cycle: ${names.join(' → ')}`);
        return;
      }
      if (!existsSync(target)) {
        report(['uses'], `called workflow not found: ${display}`);
        return;
      }
      let callee = context.cache.get(target);
      if (!callee) {
        callee = context.load(display, target, { ...context, stack: chain });
        context.cache.set(target, callee);
        problems.push(...callee.problems);
      }
      if (!callee.workflow) {
        report(['uses'], `the called workflow ${display} has problems (listed with its file name)`);
        return;
      }
      const id = step['id'];
      if (typeof id === 'string') callees.set(id, callee.workflow);
      checkWith(step['with'], callee, display, report);
    });
  };
  visit(raw['steps'], ['steps']);
  return { problems, callees };
}

function checkWith(
  given: unknown,
  callee: LoadedCallee,
  display: string,
  report: (where: Path, message: string, as?: 'key' | 'value') => void,
): void {
  const inputs = callee.workflow?.inputs ?? [];
  const byName = new Map(inputs.map((input) => [input.name, input]));
  const values = isRecord(given) ? given : {};
  const declared = (input: InputDef) => {
    const at = callee.inputAt(input.name);
    return `declared at ${at.file}:${at.line}:${at.column}`;
  };
  for (const [name, value] of Object.entries(values)) {
    const input = byName.get(name);
    if (!input) {
      const names = [...byName.keys()];
      const hint =
        didYouMean(name, names) ||
        (names.length > 0 ? ` (its inputs: ${names.join(', ')})` : ` (${display} declares no inputs)`);
      report(['with', name], `${display} has no input "${name}"${hint}`, 'key');
      continue;
    }
    // An expression is checked when the run resolves it; a constant can be checked now.
    if (typeof value === 'string' && value.includes('${{')) continue;
    const problem = checkInputValue(name, { type: input.type as InputType, options: input.options }, value);
    if (problem) report(['with', name], `${problem} (${declared(input)})`);
  }
  for (const input of inputs) {
    if (!input.required || input.default !== undefined || Object.hasOwn(values, input.name)) continue;
    report(['uses'], `${display} requires input "${input.name}": give it under "with" (${declared(input)})`);
  }
}
