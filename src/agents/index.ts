// The agent providers behind one entry point. The engine resolves a step's target with
// `resolveAgentTarget`, builds the AgentRequest (which goes into the call key), then calls `callAgent`.
import {
  CallError,
  type AgentProvider,
  type AgentRequest,
  type AgentResult,
  type CallContext,
  type TurnRequest,
  type TurnResult,
} from './types.js';
import type { ProviderType } from '../workflow/types.js';

// Each provider (and its SDK) is imported on its first live call: a run that replays every call, and a
// run that uses one provider, never load the others.
const PROVIDERS: Record<ProviderType, () => Promise<AgentProvider>> = {
  openai: async () => (await import('./openai.js')).openaiProvider,
  anthropic: async () => (await import('./anthropic.js')).anthropicProvider,
  command: async () => (await import('./command.js')).commandProvider,
};
const loaded = new Map<ProviderType, Promise<AgentProvider>>();
/** The providers already imported: a live call to one of them does not wait a turn for its import. */
const ready = new Map<ProviderType, AgentProvider>();

function providerFor(request: AgentRequest | TurnRequest): Promise<AgentProvider> | undefined {
  const type = request.provider.type;
  if (!Object.hasOwn(PROVIDERS, type)) return undefined;
  let provider = loaded.get(type);
  if (!provider) {
    provider = PROVIDERS[type]();
    loaded.set(type, provider);
    provider.then(
      (imported) => ready.set(type, imported),
      () => undefined,
    );
  }
  return provider;
}

/** A bug, not a provider failure: keep the stack, and do not retry it. */
function unexpected(request: AgentRequest | TurnRequest, error: unknown): CallError {
  if (error instanceof CallError) return error;
  return new CallError(`provider "${request.provider.name}" failed unexpectedly: ${String(error)}`, 'fatal', {
    cause: error,
  });
}

/**
 * Makes one agent call. Resolves with the (schema-validated) answer and its exact usage; rejects only with
 * a CallError: `errorClass` says whether the engine may retry, `aborted` that `context.signal` cancelled it.
 */
export async function callAgent(request: AgentRequest, context: CallContext): Promise<AgentResult> {
  const provider = ready.get(request.provider.type) ?? providerFor(request);
  if (!provider) {
    throw new CallError(
      `provider "${request.provider.name}" has unknown type "${String(request.provider.type)}": use openai, anthropic or command`,
      'fatal',
    );
  }
  try {
    return await ('call' in provider ? provider : await provider).call(request, context);
  } catch (error) {
    throw unexpected(request, error);
  }
}

/** One turn of a tool-using or threaded step. Rejects only with a CallError, as `callAgent` does. */
export async function callTurn(request: TurnRequest, context: CallContext): Promise<TurnResult> {
  let provider: AgentProvider | undefined;
  try {
    provider = await providerFor(request);
  } catch (error) {
    throw unexpected(request, error);
  }
  if (!provider?.turn) {
    throw new CallError(
      `provider "${request.provider.name}" (type ${request.provider.type}) cannot run a step with tools or a thread: use an openai or anthropic provider`,
      'fatal',
    );
  }
  try {
    return await provider.turn(request, context);
  } catch (error) {
    throw unexpected(request, error);
  }
}

export {
  resolveAgentTarget,
  resolveAgentTargets,
  BUILTIN_PROVIDERS,
  type AgentTargetArgs,
  type AgentTarget,
} from './routing.js';
export { priceFor, costUsd, modelFamily, addUsage, type TokenCounts } from './pricing.js';
export * from './types.js';
