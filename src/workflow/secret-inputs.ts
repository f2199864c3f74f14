// Inputs that feed a credential are secrets, whether or not they say so. An input referenced by the value
// of an env entry named like a credential (TOKEN, KEY, SECRET, PASSWORD: workflow, step, tool, MCP server
// or provider env) or by a `with:` entry given to a callee's secret input is treated as `secret: true`
// from load on: its value is redacted before the run's first line is written, recorded as `***`, and must
// be given again on resume. Each such input gets a warning suggesting to declare it. A credential that reads
// `inputs` as a whole or by a computed name (`toJSON(inputs)`, `inputs[format(...)]`) could get any input:
// every input is then treated so. A credential read from a step's output (a token fetched from a vault) is
// warned about: that output is journaled in clear as the step ends, before anything knows it is a secret.
import { isSecretEnvName } from '../journal/secrets.js';
import { parseTemplate, type ContextRef } from './expressions.js';
import { isRecord } from './values.js';
import type { Path, YamlSource } from './source.js';
import type { Problem, WorkflowDef } from './types.js';

type Raw = Record<string, unknown>;

/** Marks the inputs that feed a credential `secret: true` in `workflow`; returns one warning per input. */
export function secretInputWarnings(
  raw: Raw,
  source: YamlSource,
  workflow: WorkflowDef,
  callees: ReadonlyMap<string, WorkflowDef>,
): Problem[] {
  const declared = new Map(workflow.inputs.map((input) => [input.name, input]));
  /** Input name → the first place that feeds it to a credential, and what that place is. */
  const found = new Map<string, { path: Path; what: string }>();
  /** Steps whose output a credential reads, with the first place that reads each. */
  const outputsRead = new Map<string, { path: Path; what: string }>();
  const scan = (value: unknown, path: Path, what: string): void => {
    const read = contextRefs(value);
    for (const ref of read) {
      const step = ref.path[0];
      if (ref.context.toLowerCase() === 'steps' && typeof step === 'string' && !outputsRead.has(step)) {
        outputsRead.set(step, { path, what });
      }
    }
    const refs = inputRefs(read);
    const anyInput = refs.includes(ANY_INPUT);
    const names = anyInput ? [...declared.keys()] : refs.filter((ref) => typeof ref === 'string');
    const how = anyInput ? `${what} (which reads \`inputs\` as a whole or by a computed name)` : what;
    for (const name of names) {
      const input = declared.get(name);
      if (input && !input.secret && !found.has(name)) found.set(name, { path, what: how });
    }
  };

  const env = (value: unknown, path: Path): void => {
    if (!isRecord(value)) return;
    for (const [name, entry] of Object.entries(value)) {
      if (isSecretEnvName(name)) scan(entry, [...path, name], `the env var ${name}`);
    }
  };
  const steps = (value: unknown, path: Path): void => {
    if (!Array.isArray(value)) return;
    value.forEach((s, i) => {
      if (!isRecord(s)) return;
      const at = [...path, i];
      env(s['env'], [...at, 'env']);
      steps(s['parallel'], [...at, 'parallel']);
      if (isRecord(s['repeat'])) steps(s['repeat']['steps'], [...at, 'repeat', 'steps']);
      const callee = typeof s['id'] === 'string' ? callees.get(s['id']) : undefined;
      if (callee && isRecord(s['with'])) {
        for (const input of callee.inputs) {
          if (input.secret && input.name in s['with']) {
            scan(
              s['with'][input.name],
              [...at, 'with', input.name],
              `the secret input ${input.name} of ${String(s['uses'])}`,
            );
          }
        }
      }
    });
  };
  env(raw['env'], ['env']);
  for (const group of ['tools', 'mcp-servers', 'providers']) {
    const entries = raw[group];
    if (!isRecord(entries)) continue;
    for (const [name, def] of Object.entries(entries)) {
      if (isRecord(def)) env(def['env'], [group, name, 'env']);
    }
  }
  steps(raw['steps'], ['steps']);

  const warnings: Problem[] = [];
  const rawSteps = stepsById(raw['steps']);
  for (const [id, { path, what }] of outputsRead) {
    const step = rawSteps.get(id);
    // Masked as it prints, and fetched again by every attempt: what the advice below asks for.
    if (step && step['replay'] === false && String(step['run'] ?? '').includes('::add-mask::')) continue;
    warnings.push(
      source.problem(
        path,
        `${what} reads the output of step "${id}", which the journal keeps in clear: the value becomes a ` +
          `secret only when it is set here. Have step "${id}" print "::add-mask::<the value>" and give it ` +
          `"replay: false", so that every attempt fetches it again instead of replaying a masked copy`,
      ),
    );
  }
  for (const [name, { path, what }] of found) {
    declared.get(name)!.secret = true;
    warnings.push(
      source.problem(
        path,
        `input "${name}" feeds ${what}, so it is treated as a secret (redacted, never journaled, ` +
          `given again on resume): declare it "secret: true"`,
      ),
    );
  }
  return warnings;
}

/** The raw steps of a workflow by id, those in groups and loops included. */
function stepsById(value: unknown, into = new Map<string, Raw>()): Map<string, Raw> {
  if (!Array.isArray(value)) return into;
  for (const step of value) {
    if (!isRecord(step)) continue;
    if (typeof step['id'] === 'string') into.set(step['id'], step);
    stepsById(step['parallel'], into);
    if (isRecord(step['repeat'])) stepsById(step['repeat']['steps'], into);
  }
  return into;
}

/** Every context a template value reads, in strings at any depth. */
function contextRefs(value: unknown): ContextRef[] {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return [];
    try {
      return parseTemplate(value).parts.flatMap((part) => (typeof part === 'string' ? [] : part.refs));
    } catch {
      return []; // Reported by the semantic checks.
    }
  }
  if (Array.isArray(value)) return value.flatMap(contextRefs);
  if (isRecord(value)) return Object.values(value).flatMap(contextRefs);
  return [];
}

/** What `inputRefs` gives for `inputs` read as a whole or by a computed name: any input at all. */
const ANY_INPUT = Symbol('any input');

/**
 * The inputs among what a value reads (`contextRefs`): their names (`inputs.<name>`, `inputs['<name>']`),
 * or `ANY_INPUT` for `inputs` read whole, by a computed name or by `*`.
 */
function inputRefs(read: ContextRef[]): Array<string | typeof ANY_INPUT> {
  return read.flatMap((ref): Array<string | typeof ANY_INPUT> => {
    if (ref.context.toLowerCase() !== 'inputs') return [];
    const name = ref.path[0];
    return typeof name === 'string' && name !== '*' ? [name] : [ANY_INPUT];
  });
}
