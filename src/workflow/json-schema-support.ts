// Whether JSON Schema support (ajv, json-schema.ts) is loaded, and loading it. It is imported on demand:
// the workflow loader loads it when a check meets a schema (and checks again), a run loads it before it
// starts when a step of the workflow or of a called one has a schema, tools or an ask. Code that needs it
// synchronously asks `jsonSchemaSupport()`.
import type { WorkflowDef } from './types.js';

type Support = typeof import('./json-schema.js');
let support: Support | undefined;

/** Thrown where JSON Schema support is needed before it was loaded: the caller loads it and tries again. */
export class JsonSchemaNotLoaded extends Error {
  constructor() {
    super('internal error: JSON Schema support was needed before it was loaded');
    this.name = 'JsonSchemaNotLoaded';
  }
}

export async function loadJsonSchemaSupport(): Promise<void> {
  support ??= await import('./json-schema.js');
}

export function jsonSchemaSupport(): Support {
  if (!support) throw new JsonSchemaNotLoaded();
  return support;
}

/** Whether a run of `workflow` may validate against a schema: an agent's answer, a tool's arguments, an ask's answer. */
export function needsJsonSchema(workflow: WorkflowDef): boolean {
  const steps = [...workflow.steps];
  for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
    if (step.kind === 'ask') return true;
    if (step.kind === 'agent' && (step.agent.schema !== undefined || (step.agent.tools?.length ?? 0) > 0))
      return true;
    if (step.kind === 'parallel' || step.kind === 'repeat') steps.push(...step.steps);
    if (step.kind === 'uses' && step.callee) steps.push(...step.callee.steps);
  }
  return false;
}
