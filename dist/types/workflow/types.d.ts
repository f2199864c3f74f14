export interface SourceLocation {
    file: string;
    line: number;
    column: number;
}
/** A problem a person can act on, reported as `file:line:column: message`. */
export interface Problem extends SourceLocation {
    message: string;
}
/** A YAML value that may contain `${{ }}` expressions (strings, or strings nested in arrays/objects). */
export type Template = unknown;
export type InputType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'enum';
export interface InputDef {
    name: string;
    type: InputType;
    description?: string;
    required: boolean;
    default?: unknown;
    secret: boolean;
    /** Allowed values, for `type: enum`. */
    options?: string[];
}
export type ProviderType = 'openai' | 'anthropic' | 'command';
/** What a coding-agent CLI may do: a level, or a list of `read`, `edit`, `web`, `shell`, `shell(<command>)`. */
export type AllowTools = 'read-only' | 'edit' | 'all' | string[];
export type CommandPreset = 'claude' | 'codex' | 'gemini' | 'copilot';
/** A named endpoint from the workflow's `providers:` map (or a built-in one: `openai`, `anthropic`). */
export interface ProviderDef {
    name: string;
    type: ProviderType;
    /** openai/anthropic: endpoint; when absent the SDK's env var (OPENAI_BASE_URL, ANTHROPIC_BASE_URL) applies. */
    baseUrl?: string;
    /** Name of the env var holding the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY). */
    apiKeyEnv?: string;
    headers?: Record<string, string>;
    /** Default model for this provider. */
    model?: string;
    /** command: the program and its arguments; an argument may contain `{prompt}` (and `{model}`). */
    command?: string;
    args?: string[];
    preset?: CommandPreset;
    /** command: how stdout is read when no preset is set. */
    output?: 'text' | 'json';
    /** openai: stream the answer (SSE) with usage included. */
    stream?: boolean;
    workingDirectory?: string;
    /** command: the directory of the workflow file; a `command` or `args` element starting with `./` or `../` is relative to it. */
    baseDir?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    /** command presets: what the agent may do, mapped onto the CLI's permission flags (default read-only). */
    allowTools?: AllowTools;
    /** Live calls to this provider at once, across the whole run. */
    maxConcurrency?: number;
    /** Calls started per minute, across the whole run. */
    requestsPerMinute?: number;
}
/** Prices in USD per million tokens. */
export interface PriceDef {
    input: number;
    output: number;
    cachedInput?: number;
}
export interface PhaseDef {
    name: string;
    description?: string;
    /** One model, or a fallback list tried in order. */
    model?: string | string[];
    provider?: string;
}
export interface Defaults {
    provider?: string;
    /** One model, or a fallback list tried in order. */
    model?: string | string[];
    timeoutMs?: number;
    retries?: number;
    concurrency?: number;
}
export interface Limits {
    maxCalls?: number;
    tokens?: number;
    usd?: number;
    timeoutMs?: number;
    /** What `usd` does about a call whose cost is unknown (an unpriced model): warn (default) or fail. */
    onUnknownCost?: 'warn' | 'fail';
    /** Live calls at once across the whole run, however groups and fan-outs nest. */
    concurrency?: number;
}
interface StepBase {
    id: string;
    name?: string;
    phase?: string;
    /** Condition; either a bare expression (`steps.a.outputs.ok`) or `${{ }}`, as in GitHub Actions. */
    if?: string;
    env: Record<string, Template>;
    timeoutMs?: number;
    retries?: number;
    continueOnError: boolean;
    replay: boolean;
    /**
     * Whether this step's calls may be taken from an earlier run's journal (cross-run reuse, engine/reuse.ts).
     * Unset: the default rule (model turns yes; run steps, tools, command agents, asks no). On a group, loop or
     * `uses:` step it applies to the steps inside that set none.
     */
    reuse?: boolean;
    /** Fan-out: the list to iterate; `item` and `index` (0-based) are in scope of the step. */
    forEach?: Template;
    concurrency?: number;
    failFast: boolean;
    /** With `for-each` on a top-level step: the items are split across the shards of a matrix job. */
    shard?: boolean;
    loc: SourceLocation;
}
export interface AgentSpec {
    prompt: Template;
    system?: Template;
    model?: Template;
    provider?: string;
    schema?: Record<string, unknown>;
    temperature?: Template;
    maxTokens?: Template;
    /** Tool selectors: command tool and workspace tool names, `server/*`, `server/tool`. */
    tools?: string[];
    maxTurns?: number;
    /** The conversation this step continues. */
    thread?: string;
    toolResultLimit?: number;
}
/** The built-in, read-only workspace tools a step may enable by name. */
export declare const WORKSPACE_TOOLS: readonly ["read_file", "list_files", "search_text"];
/** A command tool from the workflow's `tools:` map. */
export interface ToolDef {
    name: string;
    description: string;
    /** JSON Schema of the arguments. */
    parameters: Record<string, unknown>;
    /** The script: fixed text, never expanded. */
    run: string;
    shell?: string;
    env: Record<string, Template>;
    timeoutMs?: number;
    /** Its results depend on its arguments alone: a later run may reuse them (cross-run reuse). */
    reuse?: boolean;
}
/** An MCP server from the workflow's `mcp-servers:` map: stdio (`command`) or Streamable HTTP (`url`). */
export interface McpServerDef {
    name: string;
    command?: string;
    args?: string[];
    env: Record<string, Template>;
    url?: string;
    headers: Record<string, Template>;
    timeoutMs?: number;
    /** Its tools (all, or those named) give results that depend on their arguments alone: reusable across runs. */
    reuse?: boolean | string[];
}
export interface AgentStep extends StepBase {
    kind: 'agent';
    agent: AgentSpec;
}
export interface RunStep extends StepBase {
    kind: 'run';
    run: Template;
    /** Show the script's stdout live too (stderr always is). */
    log: boolean;
    shell?: string;
    workingDirectory?: Template;
}
export interface ParallelStep extends StepBase {
    kind: 'parallel';
    steps: StepDef[];
}
export interface RepeatStep extends StepBase {
    kind: 'repeat';
    steps: StepDef[];
    until: string;
    max: number;
}
export interface AskSpec {
    /** Shown to the person; the answer is bound to its resolved text (the call's key). */
    question: Template;
    /** What a valid answer is, as a JSON Schema (shorthands already expanded). */
    answer: Record<string, unknown>;
    /** Used when the run is told not to wait. */
    default?: unknown;
}
/** A question for a person: answered, or the step (and what reads it) waits. */
export interface AskStep extends StepBase {
    kind: 'ask';
    ask: AskSpec;
}
/** Runs another workflow file; its calls join this run's journal under `<id>/<inner id>`. */
export interface UsesStep extends StepBase {
    kind: 'uses';
    /** As written: a path relative to the calling file's directory (`./review.yml`). */
    uses: string;
    with: Record<string, Template>;
    /** The called workflow, loaded and validated with the caller (absent only in a definition built by hand). */
    callee?: WorkflowDef;
}
export type StepDef = AgentStep | RunStep | ParallelStep | RepeatStep | AskStep | UsesStep;
export type StepKind = StepDef['kind'];
export interface WorkflowDef {
    name: string;
    description?: string;
    /** Absolute path of the file it was loaded from. */
    file: string;
    /** `sha256:<hex>` of the file's bytes. */
    scriptHash: string;
    inputs: InputDef[];
    env: Record<string, Template>;
    providers: Record<string, ProviderDef>;
    pricing: Record<string, PriceDef>;
    defaults: Defaults;
    limits: Limits;
    phases: Record<string, PhaseDef>;
    tools: Record<string, ToolDef>;
    mcpServers: Record<string, McpServerDef>;
    /** `reuse-max-age`: calls journaled by earlier runs longer ago than this run live again (default 7 days). */
    reuseMaxAgeMs?: number;
    steps: StepDef[];
    outputs: Record<string, Template>;
}
/** The data `${{ }}` expressions see. */
export interface ExpressionContext {
    inputs: Record<string, unknown>;
    steps: Record<string, StepContext>;
    env: Record<string, string>;
    github: Record<string, unknown>;
    item?: unknown;
    index?: number;
    loop?: {
        iteration: number;
    };
    /** How the run is going, for `success()`, `failure()`, `cancelled()` in conditions; default 'success'. */
    status?: 'success' | 'failure' | 'cancelled';
}
export interface StepContext {
    outputs: unknown;
    /** success | failure | skipped | cancelled, as in GitHub Actions. */
    outcome: string;
    conclusion: string;
}
export {};
