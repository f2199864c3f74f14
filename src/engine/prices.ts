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
 * workflow's `pricing:` or the built-in table. Claude Code reports its own cost, so it is priced.
 */
export function unpricedModels(workflow: WorkflowDef): UnpricedModel[] {
  const found: UnpricedModel[] = [];
  const visit = (steps: StepDef[], phase: string | undefined) => {
    for (const step of steps) {
      const stepPhase = step.phase ?? phase;
      if (step.kind === 'parallel' || step.kind === 'repeat') visit(step.steps, stepPhase);
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
        if (priceFor(name, workflow.pricing)) continue;
        if (!found.some((entry) => entry.model === name && entry.step === step.id)) {
          found.push({ step: step.id, model: name, loc: step.loc });
        }
      }
    }
  };
  visit(workflow.steps, undefined);
  return found;
}
