// Which models a workflow's agent steps would call without a known price: `limits.usd` cannot count them.
import { priceFor, resolveAgentTargets } from '../agents/index.js';
import type { SourceLocation, StepDef, WorkflowDef } from '../workflow/types.js';

export interface UnpricedModel {
  step: string;
  model: string;
  loc: SourceLocation;
}

/**
 * The models of agent steps that can be resolved before the run (no `${{ }}` in them) and have no price in the
 * workflow's `pricing:` or the built-in table. Claude Code reports its own cost, so it is priced. Steps of
 * `uses:` callees count too, named by their path (`caller/inner`): their models are routed by the callee's
 * own defaults, providers and phases, and priced by the calling workflow's `pricing:`, as the run does.
 */
export function unpricedModels(root: WorkflowDef): UnpricedModel[] {
  const found: UnpricedModel[] = [];
  const visit = (workflow: WorkflowDef, steps: StepDef[], phase: string | undefined, prefix: string) => {
    for (const step of steps) {
      const stepPhase = step.phase ?? phase;
      if (step.kind === 'parallel' || step.kind === 'repeat') visit(workflow, step.steps, stepPhase, prefix);
      // Cycles of `uses:` are a validation error; the depth guard only keeps a mistake from looping.
      if (step.kind === 'uses' && step.callee && prefix.split('/').length < 32) {
        visit(step.callee, step.callee.steps, undefined, `${prefix}${step.id}/`);
      }
      if (step.kind !== 'agent') continue;
      const model = step.agent.model;
      const constant = (value: unknown) => typeof value === 'string' && !value.includes('${{');
      if (model !== undefined && !(constant(model) || (Array.isArray(model) && model.every(constant)))) {
        continue;
      }
      let targets;
      try {
        targets = resolveAgentTargets({
          stepProvider: step.agent.provider,
          stepModel: model as string | string[] | undefined,
          phase: stepPhase ? workflow.phases[stepPhase] : undefined,
          defaults: workflow.defaults,
          providers: workflow.providers,
        });
      } catch {
        continue; // routing problems are reported when the step runs
      }
      for (const target of targets) {
        if (target.provider.type === 'command' && target.provider.preset === 'claude') continue;
        const name = target.model || target.provider.preset || target.provider.name;
        if (priceFor(name, root.pricing)) continue;
        const path = prefix + step.id;
        if (!found.some((entry) => entry.model === name && entry.step === path)) {
          found.push({ step: path, model: name, loc: step.loc });
        }
      }
    }
  };
  visit(root, root.steps, undefined, '');
  return found;
}
