// Planning a call: resolve its request from the step and the expression context, and key it by what
// the workflow declares. Pure and synchronous, so the engine can plan in list order.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { resolveAgentTargets, type AgentTarget } from '../agents/index.js';
import type { AgentRequest, Usage } from '../agents/types.js';
import type { ProviderDef } from '../workflow/types.js';
import type { CallKind } from '../journal/types.js';
import { evaluateTemplate, parseTemplate } from '../workflow/expressions.js';
import { dataRef, inputTypesOf } from '../workflow/injection.js';
import type { AgentStep, ExpressionContext, RunStep, WorkflowDef } from '../workflow/types.js';
import type { CallKey, KeyMaterial } from './keys.js';
import { CanonicalFragment, canonicalJson } from './canonical-json.js';

const DEFAULT_AGENT_RETRIES = 2;
const DEFAULT_AGENT_TIMEOUT_MS = 10 * 60_000;
/** Env vars named like credentials stay out of keys (and their values are redacted everywhere). */
export const SECRET_ENV_NAME = /TOKEN|KEY|SECRET|PASSWORD/i;
export const DEFAULT_MAX_TURNS = 20;

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
  shell?: { script: string; shell?: string; cwd: string };
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
  execute?: (
    signal: AbortSignal,
    agent?: AgentRequest,
  ) => Promise<{ result: unknown; usage?: Usage; model?: string }>;
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

export function planCall(step: AgentStep | RunStep, settings: PlanSettings): PlannedCall {
  const { workflow } = settings;
  const path = settings.path ?? step.id;
  // Most steps declare no env: their calls share the workflow's (never changed once planned).
  let env = settings.workflowEnv;
  if (hasEntries(step.env)) {
    const stepEnv = stringMap(evaluateTemplate(step.env, settings.context()), `step "${step.id}" env`);
    registerSecretEnv(stepEnv, settings.addSecret);
    env = { ...settings.workflowEnv, ...stepEnv };
  }
  const context = settings.context(env);
  const timeoutMs = step.timeoutMs ?? workflow.defaults.timeoutMs;
  if (step.kind === 'agent') {
    const spec = step.agent;
    const { target, fallbacks } = targetsOf(
      step,
      modelOf(evaluateTemplate(spec.model, context)),
      settings.phase,
      workflow,
    );
    const request: AgentRequest = {
      provider: target.provider,
      model: target.model,
      prompt: requiredString(evaluateTemplate(spec.prompt, context), 'prompt'),
      system: optionalString(evaluateTemplate(spec.system, context), 'system'),
      schema: spec.schema,
      temperature: optionalNumber(evaluateTemplate(spec.temperature, context), 'temperature'),
      maxTokens: optionalNumber(evaluateTemplate(spec.maxTokens, context), 'max-tokens'),
    };
    if (fallbacks) request.fallbacks = fallbacks;
    const key = settings.key({ step: path, kind: 'agent', request: agentKeyRequest(request) });
    const call: PlannedCall = {
      step,
      path,
      item: settings.item,
      kind: 'agent',
      key,
      agent: request,
      env,
      timeoutMs: timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS,
      retries: step.retries ?? workflow.defaults.retries ?? DEFAULT_AGENT_RETRIES,
    };
    if (spec.tools?.length || spec.thread !== undefined) call.loop = loopSettings(spec);
    return call;
  }
  const script = requiredString(evaluateTemplate(step.run, context), 'run');
  const workingDirectory = optionalString(
    evaluateTemplate(step.workingDirectory, context),
    'working-directory',
  );
  const cwd = resolvePath(settings.workspace, workingDirectory ?? '.');
  if (workingDirectory !== undefined && isData(step.workingDirectory, workflow)) {
    confine(settings.workspace, cwd, workingDirectory);
  }
  const key = settings.key({
    step: path,
    kind: 'run',
    request: {
      script,
      shell: step.shell ?? 'bash',
      // Relative to the workspace, so a re-run on another machine at another path still replays.
      cwd: relative(settings.workspace, cwd).split(sep).join('/') || '.',
      env: Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_ENV_NAME.test(name))),
    },
  });
  return {
    step,
    path,
    item: settings.item,
    kind: 'run',
    key,
    shell: { script, shell: step.shell, cwd },
    env,
    timeoutMs,
    retries: step.retries ?? 0,
  };
}

/**
 * The request part of an agent call's key: the canonical JSON of
 * `{ provider, model, fallbacks, prompt, system, schema, temperature, maxTokens }` with each provider as
 * its identity, written member by member in key order (test/engine/plan-key.test.ts checks it against
 * `canonicalJson` of that object). A resume keys every journaled call again, so this is its hottest path.
 */
export function agentKeyRequest(request: AgentRequest): CanonicalFragment {
  // The declared list, not the model that answered: a replay does not depend on which one it was.
  const fallbacks = request.fallbacks?.map((fallback) => ({
    provider: providerIdentity(fallback.provider),
    model: fallback.model,
  }));
  let json = member('', 'fallbacks', fallbacks);
  json = member(json, 'maxTokens', request.maxTokens);
  json = member(json, 'model', request.model);
  json = member(json, 'prompt', request.prompt);
  json = member(json, 'provider', providerIdentity(request.provider));
  json = member(json, 'schema', request.schema);
  json = member(json, 'system', request.system);
  json = member(json, 'temperature', request.temperature);
  return new CanonicalFragment(json === '' ? '{}' : json + '}');
}

/** `json` (an object's members so far, from its `{`) with `"name":value` added, unless value has no JSON. */
function member(json: string, name: string, value: unknown): string {
  const text = value === undefined ? undefined : canonicalJson(value);
  return text === undefined ? json : (json === '' ? '{"' : json + ',"') + name + '":' + text;
}

/**
 * An agent step's targets for a model (its fallback list resolved), once per step, model and phase: the
 * items of a fan-out all resolve the same.
 */
function targetsOf(
  step: AgentStep,
  model: string | string[] | undefined,
  phase: string | undefined,
  workflow: WorkflowDef,
): Targets {
  let byModel = resolvedTargets.get(step);
  if (byModel === undefined) {
    byModel = new Map();
    resolvedTargets.set(step, byModel);
  }
  // A model name alone (the common case), or the phase and the name(s) as JSON, which starts with `[`: the
  // two forms never meet (`s` first).
  const memo =
    typeof model === 'string' && phase === undefined
      ? `s${model}`
      : JSON.stringify([phase ?? null, model ?? null]);
  let targets = byModel.get(memo);
  if (targets === undefined) {
    const [target, ...fallbacks] = resolveAgentTargets({
      stepProvider: step.agent.provider,
      stepModel: model,
      phase: phase ? workflow.phases[phase] : undefined,
      defaults: workflow.defaults,
      providers: workflow.providers,
    }) as [AgentTarget, ...AgentTarget[]];
    targets = { target, ...(fallbacks.length > 0 ? { fallbacks } : {}) };
    byModel.set(memo, targets);
  }
  return targets;
}

/** The model to call and, for `model: [primary, fallback, ...]`, those to try after it. */
interface Targets {
  target: AgentTarget;
  fallbacks?: AgentTarget[];
}

function loopSettings(spec: AgentStep['agent']): LoopSettings {
  return {
    tools: spec.tools ?? [],
    maxTurns: spec.maxTurns ?? DEFAULT_MAX_TURNS,
    ...(spec.thread !== undefined ? { thread: spec.thread } : {}),
    ...(spec.toolResultLimit !== undefined ? { toolResultLimit: spec.toolResultLimit } : {}),
  };
}

/** Steps belong to one workflow (their providers, phases and defaults), so a step is enough to tell. */
const resolvedTargets = new WeakMap<AgentStep, Map<string, Targets>>();

/**
 * What selects the endpoint and the agent, in keys: never credentials or headers. Written once per
 * provider (a fan-out keys thousands of calls of the same one) as the canonical JSON of `identityOf`.
 */
export function providerIdentity(provider: ProviderDef): CanonicalFragment {
  let fragment = identities.get(provider);
  if (fragment === undefined) {
    fragment = new CanonicalFragment(canonicalJson(identityOf(provider))!);
    identities.set(provider, fragment);
  }
  return fragment;
}

const identities = new WeakMap<ProviderDef, CanonicalFragment>();

function identityOf(provider: ProviderDef): Record<string, unknown> {
  return {
    name: provider.name,
    type: provider.type,
    baseUrl: provider.baseUrl,
    command: provider.command,
    args: provider.args,
    preset: provider.preset,
    output: provider.output,
    // What a coding agent may do changes what it does; absent (the default) keeps older keys.
    allowTools: provider.allowTools,
  };
}

/** Whether a template takes its text from data (not a constant the author wrote). */
function isData(template: unknown, workflow: WorkflowDef): boolean {
  if (typeof template !== 'string' || !template.includes('${{')) return false;
  const inputs = inputTypesOf(workflow.inputs);
  return parseTemplate(template).parts.some(
    (part) => typeof part !== 'string' && dataRef(part, inputs) !== undefined,
  );
}

/**
 * A working directory built from data stays inside the workspace (symlinks followed), so a value of
 * `../..` or `/etc` cannot point a script elsewhere; a path the author wrote out may go anywhere.
 */
function confine(workspace: string, cwd: string, given: string): void {
  const inside = (root: string, path: string) => {
    const rel = relative(root, path);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  };
  let ok = inside(workspace, cwd);
  if (ok && existsSync(cwd) && existsSync(workspace)) ok = inside(realpathSync(workspace), realpathSync(cwd));
  if (!ok) {
    throw new Error(
      `working-directory ${describeValue(given)} resolves outside the workspace (${workspace}); ` +
        'a working directory built from an expression must stay inside it',
    );
  }
}

export function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Values of env vars the workflow declares with credential-like names (`DEPLOY_TOKEN: ${{ inputs.t }}`)
 * are secrets, like inherited ones: they are redacted from the journal, results and logs.
 */
export function registerSecretEnv(
  env: Record<string, string>,
  addSecret: ((value: string) => void) | undefined,
): void {
  if (!addSecret) return;
  for (const [name, value] of Object.entries(env)) {
    if (value !== '' && SECRET_ENV_NAME.test(name)) addSecret(value);
  }
}

function hasEntries(map: Record<string, unknown>): boolean {
  for (const _ in map) return true;
  return false;
}

/** An `env:` map as the strings a process sees. */
export function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a map`);
  const result: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    result[name] =
      entry === null || entry === undefined
        ? ''
        : typeof entry === 'object'
          ? JSON.stringify(entry)
          : String(entry);
  }
  return result;
}

function requiredString(value: unknown, what: string): string {
  if (value === undefined || value === null) throw new Error(`${what} is empty`);
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return requiredString(value, what);
}

/** A step's `model`: one name, or a fallback list of names. */
function modelOf(value: unknown): string | string[] | undefined {
  if (Array.isArray(value)) {
    const names = value.map((entry) => requiredString(entry, 'model'));
    return names.length > 0 ? names : undefined;
  }
  return optionalString(value, 'model');
}

function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) throw new Error(`${what} must be a number, got ${describeValue(value)}`);
  return number;
}
