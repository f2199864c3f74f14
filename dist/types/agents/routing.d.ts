import type { Defaults, PhaseDef, ProviderDef } from '../workflow/types.js';
/** Providers that exist without being declared under `providers:`. */
export declare const BUILTIN_PROVIDERS: Readonly<Record<string, ProviderDef>>;
export interface AgentTargetArgs {
    stepProvider?: string;
    stepModel?: string;
    phase?: SingleModel<PhaseDef>;
    defaults: SingleModel<Defaults>;
    providers: Record<string, ProviderDef>;
}
/** A level of routing with one model (a fallback list is resolved one entry at a time). */
type SingleModel<T extends {
    model?: string | string[];
}> = Omit<T, 'model'> & {
    model?: string;
};
export interface AgentTarget {
    provider: ProviderDef;
    model: string;
}
/**
 * The targets of a step's call in order: the primary, then its fallbacks. A model list (`model: [a, b]`) may
 * stand at any level (step, phase, defaults); the level that decides the model decides the list, and each entry
 * is routed as if it stood there alone, so `anthropic:claude-haiku-4-5` may fall back to `openai:gpt-4.1-mini`.
 */
export declare function resolveAgentTargets(args: Omit<AgentTargetArgs, 'stepModel' | 'phase' | 'defaults'> & {
    stepModel?: string | string[];
    phase?: PhaseDef;
    defaults: Defaults;
}): AgentTarget[];
/**
 * Model: the step's, else its phase's, else `defaults.model`, else the provider's own `model`. Provider: the
 * step's, else the phase's, else `defaults.provider`. A model may name its provider (`anthropic:claude-…`);
 * the prefix counts only when it is a known provider name, so `llama3:8b` stays a model. A model set at a
 * broader level than the provider yields to the provider's own model, if it has one: `provider: ollama` on a
 * step does not inherit `defaults.model: claude-haiku-4-5`. Without any provider, `gpt-*`/`o1…` models go to
 * openai and `claude-*` models to anthropic. Command providers may run without a model (the CLI's default).
 */
export declare function resolveAgentTarget(args: AgentTargetArgs): {
    provider: ProviderDef;
    model: string;
};
export {};
