// Where a workflow splits across shards (`shard: true` fan-outs, issue 11): which steps every shard
// runs, which it splits, and the step it stops before because that step reads a sharded step's outputs.
import { parseExpression, parseTemplate } from './expressions.js';
import type { ContextRef } from './expressions.js';
import { WORKSPACE_TOOLS } from './types.js';
import type { Problem, StepDef, WorkflowDef } from './types.js';

export interface ShardLayout {
  /** Ids of the sharded fan-out steps (top-level steps only). */
  sharded: string[];
  /** Index in `workflow.steps` of the first step a shard does not run; `steps.length` when it runs them all. */
  stop: number;
}

/** Undefined when the workflow has no sharded step. */
export function shardLayout(workflow: WorkflowDef): ShardLayout | undefined {
  const sharded = new Set<string>();
  let stop = workflow.steps.length;
  for (const [index, step] of workflow.steps.entries()) {
    if (readsAny(step, sharded)) {
      stop = index;
      break;
    }
    if (isSharded(step)) sharded.add(step.id);
  }
  if (sharded.size === 0) return undefined;
  return { sharded: [...sharded], stop };
}

export function isSharded(step: StepDef): boolean {
  return (step.kind === 'agent' || step.kind === 'run') && step.shard === true;
}

/**
 * Steps that run in every shard and have side effects: a `run` step there runs once per shard. Found
 * before the first sharded step and between sharded steps, nested ones included.
 */
export function shardWarnings(workflow: WorkflowDef): Problem[] {
  const layout = shardLayout(workflow);
  if (!layout) return [];
  const first = layout.sharded[0];
  const warnings: Problem[] = [];
  for (const step of workflow.steps.slice(0, layout.stop)) {
    if (isSharded(step)) continue;
    for (const inner of flattenSteps([step])) {
      const what =
        inner.kind === 'run'
          ? `run step "${inner.id}"`
          : inner.kind === 'agent' && sideEffectingTools(inner.agent.tools).length > 0
            ? `step "${inner.id}" with tools that may have side effects (${sideEffectingTools(inner.agent.tools).join(', ')})`
            : undefined;
      if (what === undefined) continue;
      warnings.push({
        ...inner.loc,
        message:
          `${what} runs in every shard (shards run everything before the first step that reads ` +
          `a sharded step's outputs, and "${first}" is sharded), so its side effects happen once per shard; ` +
          'compute the item list in a step without side effects, or read a sharded step so it runs once in the merge job',
      });
    }
  }
  return warnings;
}

/** Command tools and MCP tools can change the world; the built-in workspace tools only read. */
function sideEffectingTools(tools: string[] | undefined): string[] {
  return (tools ?? []).filter((tool) => !(WORKSPACE_TOOLS as readonly string[]).includes(tool));
}

/** Whether any expression of `step` (or of its sub-steps) reads one of `ids`, or all steps at once. */
export function readsAny(step: StepDef, ids: ReadonlySet<string>): boolean {
  if (ids.size === 0) return false;
  return stepRefs(step).some(
    (ref) =>
      ref.context.toLowerCase() === 'steps' &&
      (typeof ref.path[0] !== 'string' || ref.path[0] === '*' || ids.has(ref.path[0])),
  );
}

function stepRefs(step: StepDef): ContextRef[] {
  const refs: ContextRef[] = [];
  const conditions = [step.if, step.kind === 'repeat' ? step.until : undefined];
  for (const condition of conditions) {
    if (condition === undefined) continue;
    refs.push(...expressionRefs(condition.includes('${{') ? condition : `\${{ ${condition} }}`));
  }
  const { if: _if, loc: _loc, ...rest } = step;
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('${{')) refs.push(...expressionRefs(value));
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(visit);
    }
  };
  if (step.kind === 'parallel' || step.kind === 'repeat') {
    const { steps, until: _until, ...own } = rest as typeof rest & { steps: StepDef[]; until?: string };
    visit(own);
    for (const inner of steps) refs.push(...stepRefs(inner));
  } else {
    visit(rest);
  }
  return refs;
}

function expressionRefs(text: string): ContextRef[] {
  try {
    if (!text.includes('${{')) return parseExpression(text).refs;
    return parseTemplate(text).parts.flatMap((part) => (typeof part === 'string' ? [] : part.refs));
  } catch {
    // Validated already; an expression that does not parse reads nothing we could name.
    return [];
  }
}

function flattenSteps(steps: StepDef[]): StepDef[] {
  return steps.flatMap((step) =>
    step.kind === 'parallel' || step.kind === 'repeat' ? [step, ...flattenSteps(step.steps)] : [step],
  );
}
