import type { AgentRequest, Usage } from '../agents/types.js';
import type { ProviderDef } from '../workflow/types.js';
import type { CallKind } from '../journal/types.js';
import type { AgentStep, ExpressionContext, RunStep, WorkflowDef } from '../workflow/types.js';
import type { CallKey, KeyMaterial } from './keys.js';
import { CanonicalFragment } from './canonical-json.js';
/** Env vars named like credentials stay out of keys (and their values are redacted everywhere). */
export declare const SECRET_ENV_NAME: RegExp;
export declare const DEFAULT_MAX_TURNS = 20;
/** How a tool-using or threaded agent step runs its loop of turns (engine/agent-loop.ts). */
export interface LoopSettings {
    tools: string[];
    maxTurns: number;
    thread?: string;
    toolResultLimit?: number;
}
/** One call a step plans: resolved, keyed, ready to replay or run. */
export interface PlannedCall {
    step: AgentStep | RunStep;
    /** The step's path: its id, or `caller/id` inside a called workflow; journaled as the call's step. */
    path: string;
    /** The for-each index. */
    item?: number;
    /** The iteration of the enclosing repeat loop (from 1), for progress lines. */
    iteration?: number;
    key: CallKey;
    kind: CallKind;
    agent?: AgentRequest;
    shell?: {
        script: string;
        shell?: string;
        cwd: string;
    };
    /** The declared env (workflow + step), added on top of the inherited environment. */
    env: Record<string, string>;
    timeoutMs?: number;
    retries: number;
    /** Set on a tool-using or threaded agent step: it runs as a loop of turn and tool calls. */
    loop?: LoopSettings;
    /**
     * The turn and tool calls of a loop: how to run one live (instead of an executor). A turn is given the
     * request of the target it is to try (its model fallback list resolved by `requestForTarget`).
     */
    execute?: (signal: AbortSignal, agent?: AgentRequest) => Promise<{
        result: unknown;
        usage?: Usage;
        model?: string;
    }>;
    /** The turn and tool calls of a loop: a journaled result replays only when this accepts it. */
    accepts?: (result: unknown) => boolean;
    /** Whether an earlier run's result may stand for it (`reuse:` of the step or tool); unset: the default rule. */
    reuse?: boolean;
}
/** What `perform` gives back for a call of an agent loop: its result, and the usage and model journaled beside it. */
export interface PerformedCall {
    result: unknown;
    usage?: Usage;
    model?: string;
}
export interface PlanSettings {
    workflow: WorkflowDef;
    /** The workflow's `env:`, already resolved. */
    workflowEnv: Record<string, string>;
    workspace: string;
    /** The step's path (`caller/id` inside a called workflow); its id when absent. */
    path?: string;
    /** The step's phase, or that of its enclosing group or loop. */
    phase?: string;
    item?: number;
    /** The expression context of the call's scope, with `env` set to the given map. */
    context: (env?: Record<string, string>) => ExpressionContext;
    /** Registers a secret value for redaction (before it is keyed or written anywhere). */
    addSecret?: (value: string) => void;
    /** Turns key material into the call's key (hash, redaction, occurrence number). */
    key: (material: KeyMaterial) => CallKey;
}
export declare function planCall(step: AgentStep | RunStep, settings: PlanSettings): PlannedCall;
/**
 * The request part of an agent call's key: the canonical JSON of
 * `{ provider, model, fallbacks, prompt, system, schema, temperature, maxTokens }` with each provider as
 * its identity, written member by member in key order (test/engine/plan-key.test.ts checks it against
 * `canonicalJson` of that object). A resume keys every journaled call again, so this is its hottest path.
 */
export declare function agentKeyRequest(request: AgentRequest): CanonicalFragment;
/**
 * What selects the endpoint and the agent, in keys: never credentials or headers. Written once per
 * provider (a fan-out keys thousands of calls of the same one) as the canonical JSON of `identityOf`.
 */
export declare function providerIdentity(provider: ProviderDef): CanonicalFragment;
export declare function describeValue(value: unknown): string;
/**
 * Values of env vars the workflow declares with credential-like names (`DEPLOY_TOKEN: ${{ inputs.t }}`)
 * are secrets, like inherited ones: they are redacted from the journal, results and logs.
 */
export declare function registerSecretEnv(env: Record<string, string>, addSecret: ((value: string) => void) | undefined): void;
/** An `env:` map as the strings a process sees. */
export declare function stringMap(value: unknown, what: string): Record<string, string>;
