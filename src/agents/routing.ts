// Which provider and model a step's agent call goes to.
import type { Defaults, PhaseDef, ProviderDef } from '../workflow/types.js';
import { CallError } from './types.js';

/** Providers that exist without being declared under `providers:`. */
export const BUILTIN_PROVIDERS: Readonly<Record<string, ProviderDef>> = {
  openai: { name: 'openai', type: 'openai' },
  anthropic: { name: 'anthropic', type: 'anthropic' },
};

export interface AgentTargetArgs {
  stepProvider?: string;
  stepModel?: string;
  phase?: SingleModel<PhaseDef>;
  defaults: SingleModel<Defaults>;
  providers: Record<string, ProviderDef>;
}

/** A level of routing with one model (a fallback list is resolved one entry at a time). */
type SingleModel<T extends { model?: string | string[] }> = Omit<T, 'model'> & { model?: string };

export interface AgentTarget {
  provider: ProviderDef;
  model: string;
}

/**
 * The targets of a step's call in order: the primary, then its fallbacks. A model list (`model: [a, b]`) may
 * stand at any level (step, phase, defaults); the level that decides the model decides the list, and each entry
 * is routed as if it stood there alone, so `anthropic:claude-haiku-4-5` may fall back to `openai:gpt-4.1-mini`.
 */
export function resolveAgentTargets(
  args: Omit<AgentTargetArgs, 'stepModel' | 'phase' | 'defaults'> & {
    stepModel?: string | string[];
    phase?: PhaseDef;
    defaults: Defaults;
  },
): AgentTarget[] {
  const given = (model: string | string[] | undefined) =>
    model !== undefined && model !== '' && !(Array.isArray(model) && model.length === 0);
  const level = given(args.stepModel)
    ? 'step'
    : given(args.phase?.model)
      ? 'phase'
      : given(args.defaults.model)
        ? 'defaults'
        : undefined;
  const list =
    level === 'step' ? args.stepModel : level === 'phase' ? args.phase?.model : args.defaults.model;
  const entries: (string | undefined)[] = Array.isArray(list) ? list : [list];
  return entries.map((model) =>
    resolveAgentTarget({
      stepProvider: args.stepProvider,
      stepModel: level === 'step' ? model : undefined,
      phase: args.phase && { ...args.phase, model: level === 'phase' ? model : undefined },
      defaults: { ...args.defaults, model: level === 'defaults' ? model : undefined },
      providers: args.providers,
    }),
  );
}

interface Level {
  where: string;
  provider?: string;
  model?: string;
}

/**
 * Model: the step's, else its phase's, else `defaults.model`, else the provider's own `model`. Provider: the
 * step's, else the phase's, else `defaults.provider`. A model may name its provider (`anthropic:claude-…`);
 * the prefix counts only when it is a known provider name, so `llama3:8b` stays a model. A model set at a
 * broader level than the provider yields to the provider's own model, if it has one: `provider: ollama` on a
 * step does not inherit `defaults.model: claude-haiku-4-5`. Without any provider, `gpt-*`/`o1…` models go to
 * openai and `claude-*` models to anthropic. Command providers may run without a model (the CLI's default).
 */
export function resolveAgentTarget(args: AgentTargetArgs): { provider: ProviderDef; model: string } {
  const known = (name: string): ProviderDef | undefined => args.providers[name] ?? BUILTIN_PROVIDERS[name];
  const levels: Level[] = [
    { where: 'the step', provider: args.stepProvider, model: args.stepModel },
    { where: `phase "${args.phase?.name ?? ''}"`, provider: args.phase?.provider, model: args.phase?.model },
    { where: 'defaults', provider: args.defaults.provider, model: args.defaults.model },
  ].map((level) => splitModel(level, known));

  const providerLevel = levels.findIndex((level) => level.provider !== undefined && level.provider !== '');
  const modelLevel = levels.findIndex((level) => level.model !== undefined && level.model !== '');
  let providerName = providerLevel >= 0 ? levels[providerLevel]?.provider : undefined;
  const inheritedModel = modelLevel >= 0 ? levels[modelLevel]?.model : undefined;
  providerName ??= inheritedModel === undefined ? undefined : inferProvider(inheritedModel);

  if (providerName === undefined) {
    throw new CallError(
      'no provider for this agent step: set provider on the step, its phase or defaults, or write the model as provider:model (e.g. anthropic:claude-haiku-4-5)',
      'fatal',
    );
  }
  const provider = known(providerName);
  if (!provider) {
    const declared = Object.keys(args.providers);
    throw new CallError(
      `unknown provider "${providerName}": declare it under providers: (declared: ${
        declared.length > 0 ? declared.join(', ') : 'none'
      }), or use the built-in openai or anthropic`,
      'fatal',
    );
  }

  const modelIsBroader = providerLevel >= 0 && modelLevel > providerLevel;
  const model = (modelIsBroader ? provider.model : undefined) ?? inheritedModel ?? provider.model;
  if ((model === undefined || model === '') && provider.type !== 'command') {
    throw new CallError(
      `no model for provider "${provider.name}": set model on the step, its phase, defaults.model, or model on provider "${provider.name}"`,
      'fatal',
    );
  }
  return { provider, model: model ?? '' };
}

function splitModel(level: Level, known: (name: string) => ProviderDef | undefined): Level {
  const model = level.model;
  const colon = model?.indexOf(':') ?? -1;
  if (model === undefined || colon <= 0) return level;
  const prefix = model.slice(0, colon);
  if (!known(prefix)) return level;
  if (level.provider !== undefined && level.provider !== prefix) {
    throw new CallError(
      `${level.where} sets provider "${level.provider}" but model "${model}" names provider "${prefix}": keep one`,
      'fatal',
    );
  }
  return { ...level, provider: prefix, model: model.slice(colon + 1) };
}

function inferProvider(model: string): string | undefined {
  if (/^(gpt-|o\d|chatgpt-)/.test(model)) return 'openai';
  if (/^claude-/.test(model)) return 'anthropic';
  return undefined;
}
