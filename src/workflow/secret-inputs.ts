// Inputs that feed a credential are secrets, whether or not they say so. An input referenced by the value
// of an env entry named like a credential (TOKEN, KEY, SECRET, PASSWORD: workflow, step, tool, MCP server
// or provider env) or by a `with:` entry given to a callee's secret input is treated as `secret: true`
// from load on: its value is redacted before the run's first line is written, recorded as `***`, and must
// be given again on resume. Each such input gets a warning suggesting to declare it. A credential that reads
// `inputs` as a whole or by a computed name (`toJSON(inputs)`, `inputs[format(...)]`) could get any input:
// every input is then treated so. A credential read from a step's output (a token fetched from a vault) is
// warned about: that output is journaled in clear as the step ends, before anything knows it is a secret.
// The inputs that step reads may be in its output, so they are treated as secret too (the workflow's env
// included, which every step runs with), and those of the steps whose outputs it reads, and so on; an input
// declared `secret: false` is left out of this indirect rule, since it can catch a harmless parameter
// (`vault read secret/${{ inputs.env }}/token`).
import { isSecretEnvName } from '../journal/secrets.js';
import { parseExpression, parseTemplate, type ContextRef } from './expressions.js';
import { isRecord } from './values.js';
import type { Path, YamlSource } from './source.js';
import type { InputDef, Problem, WorkflowDef } from './types.js';

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
    const { names, anyInput } = inputsIn(read, declared);
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
  const rawSteps = stepsById(raw['steps'], ['steps']);
  for (const [id, { path, what }] of outputsRead) {
    const step = rawSteps.get(id)?.step;
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
  // Every step runs with the workflow's env: a step whose output feeds a credential may print what it holds.
  const workflowEnv = readsIn(raw['env'], ['env']).map((reads) => ({
    ...reads,
    via: " (the workflow's env)",
  }));
  const feeding = stepsFeeding(outputsRead, rawSteps).map((step) => ({
    ...step,
    reads: [...step.reads, ...workflowEnv],
  }));
  const indirect = inputsReadBy(feeding, declared, raw['inputs']);

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
  for (const [name, { path, what }] of indirect) {
    if (found.has(name)) continue;
    declared.get(name)!.secret = true;
    warnings.push(
      source.problem(
        path,
        `input "${name}" ${what}, so it is treated as a secret (redacted, never journaled, given again ` +
          `on resume): declare it "secret: true", or "secret: false" if it is not part of the credential`,
      ),
    );
  }
  return warnings;
}

interface RawStep {
  step: Raw;
  path: Path;
}

/** A step whose output may reach a credential, `feeds` saying how, and what the step reads. */
interface Feeding {
  id: string;
  feeds: string;
  reads: Reads[];
}

/**
 * The steps whose output may reach a credential: those it reads (`outputsRead`), then those whose outputs
 * they read, and so on, each once (a loop reading its own steps comes back to one already seen).
 */
function stepsFeeding(
  outputsRead: ReadonlyMap<string, { what: string }>,
  rawSteps: ReadonlyMap<string, RawStep>,
): Feeding[] {
  const queue = [...outputsRead].map(([id, { what }]) => ({ id, feeds: what }));
  const seen = new Set(queue.map(({ id }) => id));
  const feeding: Feeding[] = [];
  for (let i = 0; i < queue.length; i++) {
    const { id, feeds } = queue[i]!;
    const step = rawSteps.get(id);
    if (!step) continue;
    const reads = readsInStep(step.step, step.path);
    feeding.push({ id, feeds, reads });
    for (const ref of reads.flatMap(({ read }) => read)) {
      const other = ref.path[0];
      if (ref.context.toLowerCase() !== 'steps' || typeof other !== 'string' || seen.has(other)) continue;
      seen.add(other);
      queue.push({ id: other, feeds: `step "${id}", whose output feeds ${feeds}` });
    }
  }
  return feeding;
}

/**
 * The inputs the `feeding` steps read, each with the first place that reads it and how it reaches the
 * credential; not those already secret, nor those the raw `inputs` declare `secret: false`.
 */
function inputsReadBy(
  feeding: Feeding[],
  declared: ReadonlyMap<string, InputDef>,
  rawInputs: unknown,
): Map<string, { path: Path; what: string }> {
  const optedOut = (name: string): boolean => {
    const input = isRecord(rawInputs) ? rawInputs[name] : undefined;
    return isRecord(input) && input['secret'] === false;
  };
  const inputs = new Map<string, { path: Path; what: string }>();
  for (const { id, feeds, reads } of feeding) {
    for (const { path, read, via = '' } of reads) {
      const { names, anyInput } = inputsIn(read, declared);
      const by = anyInput
        ? `step "${id}"${via} (which reads \`inputs\` as a whole or by a computed name)`
        : `step "${id}"${via}`;
      for (const name of names) {
        const input = declared.get(name);
        if (!input || input.secret || inputs.has(name) || optedOut(name)) continue;
        inputs.set(name, { path, what: `is read by ${by}, whose output feeds ${feeds}` });
      }
    }
  }
  return inputs;
}

/** The raw steps of a workflow (at `path`) by id, those in groups and loops included. */
function stepsById(value: unknown, path: Path, into = new Map<string, RawStep>()): Map<string, RawStep> {
  if (!Array.isArray(value)) return into;
  value.forEach((step, i) => {
    if (!isRecord(step)) return;
    const at = [...path, i];
    if (typeof step['id'] === 'string') into.set(step['id'], { step, path: at });
    stepsById(step['parallel'], [...at, 'parallel'], into);
    if (isRecord(step['repeat'])) stepsById(step['repeat']['steps'], [...at, 'repeat', 'steps'], into);
  });
  return into;
}

/** Every context a template value reads, in strings at any depth. */
function contextRefs(value: unknown): ContextRef[] {
  return readsIn(value, []).flatMap(({ read }) => read);
}

interface Reads {
  path: Path;
  read: ContextRef[];
  /** How a step reads it, when not in its own definition. */
  via?: string;
}

/** What a raw step (at `path`) reads anywhere in it: its templates, its conditions, its nested steps'. */
function readsInStep(step: Raw, path: Path): Reads[] {
  const steps = (value: unknown, at: Path): Reads[] =>
    Array.isArray(value)
      ? value.flatMap((child, i) => (isRecord(child) ? readsInStep(child, [...at, i]) : []))
      : [];
  return Object.entries(step).flatMap(([key, value]) => {
    const at = [...path, key];
    if (key === 'if') return readsInCondition(value, at);
    if (key === 'parallel') return steps(value, at);
    if (key === 'repeat' && isRecord(value)) {
      return Object.entries(value).flatMap(([loopKey, loopValue]) => {
        if (loopKey === 'until') return readsInCondition(loopValue, [...at, loopKey]);
        if (loopKey === 'steps') return steps(loopValue, [...at, loopKey]);
        return readsIn(loopValue, [...at, loopKey]);
      });
    }
    return readsIn(value, at);
  });
}

/** What an `if:` or `until:` reads: it may be a bare expression, without `${{ }}`. */
function readsInCondition(value: unknown, path: Path): Reads[] {
  if (typeof value !== 'string' || value.includes('${{')) return readsIn(value, path);
  try {
    const { refs } = parseExpression(value);
    return refs.length > 0 ? [{ path, read: refs }] : [];
  } catch {
    return []; // Reported by the semantic checks.
  }
}

/** The strings of `value` (at `path`) that read contexts, each at its path, with what it reads. */
function readsIn(value: unknown, path: Path): Reads[] {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return [];
    try {
      const read = parseTemplate(value).parts.flatMap((part) => (typeof part === 'string' ? [] : part.refs));
      return read.length > 0 ? [{ path, read }] : [];
    } catch {
      return []; // Reported by the semantic checks.
    }
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => readsIn(item, [...path, i]));
  if (isRecord(value)) return Object.entries(value).flatMap(([key, item]) => readsIn(item, [...path, key]));
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

/** The names of the inputs `read` may get: every declared one when it reads `inputs` whole or computed. */
function inputsIn(
  read: ContextRef[],
  declared: ReadonlyMap<string, InputDef>,
): { names: string[]; anyInput: boolean } {
  const refs = inputRefs(read);
  const anyInput = refs.includes(ANY_INPUT);
  return {
    names: anyInput ? [...declared.keys()] : refs.filter((ref): ref is string => typeof ref === 'string'),
    anyInput,
  };
}
