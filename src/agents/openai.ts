// The `openai` provider: Chat Completions on OpenAI or any compatible endpoint (OpenRouter, Ollama, vLLM,
// LiteLLM, Azure-style gateways). "Compatible" is a wire format, so the request goes out through Node's
// `fetch` as that format defines it: the official SDK's request machinery (its headers, logging and retry
// bookkeeping, rebuilt for every request) cost more per call than all of reprise's own work. Its types
// describe the bodies, and its SSE decoder reads a streamed answer. The body is read here, so that a
// malformed answer, or an SSE stream we did not ask for, is reported precisely.
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import packageJson from '../../package.json' with { type: 'json' };
import type { ProviderDef } from '../workflow/types.js';
import { OPENAI_KEY_ENV, openaiCredential } from './credentials.js';
import {
  guardCall,
  isRecord,
  malformedBodyError,
  postJson,
  readKey,
  transportError,
  withProviderHeaders,
  type CallGuard,
  type Endpoint,
} from './http.js';
import { estimateTokens, toUsage, type TokenCounts } from './pricing.js';
import { withStructuredOutput, type Attempt, type Correction } from './structured.js';
import {
  CallError,
  type AgentProvider,
  type AgentRequest,
  type AgentResult,
  type CallContext,
  type ToolCall,
  type TurnRequest,
  type TurnResult,
} from './types.js';

const USER_AGENT = `reprise/${packageJson.version}`;
const COMPLETIONS = '/chat/completions';

/**
 * The URL and headers of a provider's requests, for the key and organisation the call's env gives. Looked up
 * on every live call: by the provider's definition (the same object for every call of a run), then by four
 * comparisons, not by serialising a cache key.
 */
interface Target {
  baseUrl: string;
  apiKey: string | undefined;
  organization: string | undefined;
  project: string | undefined;
  url: string;
  headers: Record<string, string>;
}
const targets = new WeakMap<ProviderDef, Target[]>();

function targetFor(
  provider: ProviderDef,
  apiKey: string | undefined,
  baseUrl: string,
  env: CallContext['env'],
): Target {
  const organization = env['OPENAI_ORG_ID'] || undefined;
  const project = env['OPENAI_PROJECT_ID'] || undefined;
  let cached = targets.get(provider);
  if (!cached) targets.set(provider, (cached = []));
  const found = cached.find(
    (entry) =>
      entry.apiKey === apiKey &&
      entry.baseUrl === baseUrl &&
      entry.organization === organization &&
      entry.project === project,
  );
  if (found) return found;
  const own: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  // A keyless custom endpoint (Ollama, a local vLLM) is called without an Authorization header.
  if (apiKey !== undefined) own['authorization'] = `Bearer ${apiKey}`;
  if (organization !== undefined) own['openai-organization'] = organization;
  if (project !== undefined) own['openai-project'] = project;
  const target = {
    baseUrl,
    apiKey,
    organization,
    project,
    url: baseUrl + COMPLETIONS,
    headers: withProviderHeaders(own, provider.headers),
  };
  cached.push(target);
  return target;
}

/** Where the call goes and with which key; a missing key is an error before anything is sent. */
function endpointFor(
  provider: ProviderDef,
  model: string,
  env: CallContext['env'],
): { endpoint: Endpoint; apiKey: string | undefined } {
  const { names, required: keyRequired, baseUrl } = openaiCredential(provider, env);
  const keyEnv = names[0] ?? OPENAI_KEY_ENV;
  const key = readKey(env, names);
  if (key.value === undefined && keyRequired) {
    throw new CallError(
      `${keyEnv} is not set: export it, or set api-key-env on provider "${provider.name}"`,
      'fatal',
    );
  }
  return {
    endpoint: { provider: provider.name, baseUrl, model, keyEnv, keyMissing: key.value === undefined },
    apiKey: key.value,
  };
}

/** Reasoning models (o-series, gpt-5) reject `max_tokens`; compatible servers mostly know only it. */
function tokenLimit(
  model: string,
  maxTokens: number,
): { max_tokens?: number; max_completion_tokens?: number } {
  const id = model.replace(/^openai\//, '');
  return /^(o\d|gpt-5)/.test(id) ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens };
}

function buildParams(request: AgentRequest, correction?: Correction): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system !== undefined) messages.push({ role: 'system', content: request.system });
  messages.push({ role: 'user', content: request.prompt });
  if (correction) {
    messages.push({ role: 'assistant', content: correction.previousText });
    messages.push({ role: 'user', content: correction.message });
  }
  return {
    model: request.model,
    messages,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.maxTokens !== undefined ? tokenLimit(request.model, request.maxTokens) : {}),
    ...(request.schema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'answer', schema: request.schema, strict: false },
          },
        }
      : {}),
  };
}

/** Usage as OpenAI reports it: `prompt_tokens` includes the cached ones; OpenRouter adds `cost` in USD. */
function tokenCounts(usage: unknown): TokenCounts | undefined {
  if (!isRecord(usage)) return undefined;
  const input = usage['prompt_tokens'];
  const output = usage['completion_tokens'];
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  const details = usage['prompt_tokens_details'];
  const cached =
    isRecord(details) && typeof details['cached_tokens'] === 'number' ? details['cached_tokens'] : 0;
  const cost = usage['cost'];
  return { input, output, cached, ...(typeof cost === 'number' ? { reportedCostUsd: cost } : {}) };
}

/** The body of a non-streamed Chat Completions answer and its first choice's message; a refusal is fatal. */
async function readFirstMessage(
  response: Response,
  endpoint: Endpoint,
): Promise<{ body: string; parsed: Record<string, unknown>; message: Record<string, unknown> }> {
  const body = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw malformedBodyError(body, 'not JSON', endpoint);
  }
  const choice =
    isRecord(parsed) && Array.isArray(parsed['choices']) ? (parsed['choices'][0] as unknown) : undefined;
  const message = isRecord(choice) ? choice['message'] : undefined;
  if (!isRecord(parsed) || !isRecord(message))
    throw malformedBodyError(body, 'no choices[0].message', endpoint);
  if (typeof message['refusal'] === 'string' && message['refusal'] !== '') {
    throw new CallError(`model "${endpoint.model}" refused: ${message['refusal']}`, 'fatal');
  }
  return { body, parsed, message };
}

async function readJsonAnswer(response: Response, endpoint: Endpoint): Promise<TurnAnswer> {
  const { body, parsed, message } = await readFirstMessage(response, endpoint);
  const content = message['content'];
  if (typeof content !== 'string') throw malformedBodyError(body, 'no text content', endpoint);
  return {
    text: content,
    toolCalls: [],
    model: typeof parsed['model'] === 'string' ? parsed['model'] : undefined,
    usage: tokenCounts(parsed['usage']),
  };
}

/**
 * Sends `params` and reads the answer: as a stream when the provider streams (or the server sends one
 * unasked), otherwise with `readJson`. A streamed request has an AbortController of its own, linked to the
 * call's signal: the SSE decoder aborts it to close the connection when it stops reading early. A plain
 * request is sent under the call's signal itself (no controller per call). An SSE answer to one is read
 * under that signal too: the decoder's abort reaches nothing, and a body it stops reading early is
 * released with the response.
 */
async function exchange(
  target: Target,
  params: ChatCompletionCreateParamsNonStreaming,
  stream: boolean | undefined,
  guard: CallGuard,
  endpoint: Endpoint,
  readJson: (response: Response, endpoint: Endpoint) => Promise<TurnAnswer>,
): Promise<TurnAnswer> {
  if (!stream) {
    const response = await postJson(target.url, target.headers, params, guard.signal, endpoint);
    if (!response.headers.get('content-type')?.includes('text/event-stream'))
      return readJson(response, endpoint);
    return readTurnStream(response, new AbortController(), endpoint);
  }
  const controller = new AbortController();
  const abort = () => controller.abort(guard.signal.reason);
  if (guard.signal.aborted) abort();
  else guard.signal.addEventListener('abort', abort, { once: true });
  try {
    const body = { ...params, stream: true, stream_options: { include_usage: true } };
    const response = await postJson(target.url, target.headers, body, controller.signal, endpoint);
    return await readTurnStream(response, controller, endpoint);
  } finally {
    guard.signal.removeEventListener('abort', abort);
  }
}

/**
 * A stream is an answer only once the provider says it finished (a `finish_reason`). The SSE decoder ends a
 * stream quietly when the call is aborted (timeout, Ctrl-C) or the connection drops: what arrived
 * until then is a fragment, never a result.
 */
class StreamCut extends Error {
  constructor() {
    super('the streamed answer ended before the provider said it finished (no finish reason)');
    this.name = 'StreamCut';
  }
}

function classify(error: unknown, guard: CallGuard, endpoint: Endpoint): CallError {
  if (error instanceof CallError) return error;
  if (error instanceof StreamCut && !guard.aborted() && !guard.timedOut()) {
    return new CallError(
      `provider "${endpoint.provider}" (${endpoint.baseUrl}): ${error.message}`,
      'recoverable',
      {
        cause: error,
      },
    );
  }
  if (error instanceof SyntaxError && !guard.signal.aborted) {
    return new CallError(
      `provider "${endpoint.provider}" (${endpoint.baseUrl}) streamed a malformed event: ${error.message}`,
      'recoverable',
      { cause: error },
    );
  }
  return transportError(error, guard, endpoint);
}

async function attemptOnce(
  request: AgentRequest,
  context: CallContext,
  correction: Correction | undefined,
): Promise<Attempt> {
  const provider = request.provider;
  const { endpoint, apiKey } = endpointFor(provider, request.model, context.env);
  const target = targetFor(provider, apiKey, endpoint.baseUrl, context.env);
  const guard = guardCall(context, provider.timeoutMs);
  try {
    const answer = await exchange(
      target,
      buildParams(request, correction),
      provider.stream,
      guard,
      endpoint,
      readJsonAnswer,
    );
    const model = answer.model ?? request.model;
    if (!answer.usage) context.log?.(`provider "${provider.name}" reported no usage; tokens are estimated`);
    const counts = answer.usage ?? estimateTokens((request.system ?? '') + request.prompt, answer.text);
    const usage = toUsage([model, request.model], counts, context.pricing);
    return { text: answer.text, model, usage: answer.usage ? usage : { ...usage, estimated: true } };
  } catch (error) {
    throw classify(error, guard, endpoint);
  } finally {
    guard.dispose();
  }
}

function chatMessages(request: TurnRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system !== undefined) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'user') messages.push({ role: 'user', content: message.content });
    else if (message.role === 'assistant') {
      messages.push({
        role: 'assistant',
        content: message.content === '' && message.toolCalls?.length ? null : message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      });
    } else {
      for (const result of message.results) {
        messages.push({
          role: 'tool',
          tool_call_id: result.id,
          content: result.isError ? `Error: ${result.content}` : result.content,
        });
      }
    }
  }
  return messages;
}

function turnParams(request: TurnRequest): ChatCompletionCreateParamsNonStreaming {
  return {
    model: request.model,
    messages: chatMessages(request),
    ...(request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            function: { name: tool.name, description: tool.description, parameters: tool.parameters },
          })),
          parallel_tool_calls: true,
        }
      : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.maxTokens !== undefined ? tokenLimit(request.model, request.maxTokens) : {}),
    ...(request.schema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'answer', schema: request.schema, strict: false },
          },
        }
      : {}),
  };
}

interface TurnAnswer {
  text: string;
  toolCalls: ToolCall[];
  model?: string;
  usage?: TokenCounts;
}

function readToolCalls(value: unknown, body: string, endpoint: Endpoint): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformedBodyError(body, 'tool_calls is not a list', endpoint);
  return value.map((entry: unknown, index) => {
    const fn = isRecord(entry) ? entry['function'] : undefined;
    if (!isRecord(entry) || !isRecord(fn) || typeof fn['name'] !== 'string') {
      throw malformedBodyError(body, `tool_calls[${index}] has no function name`, endpoint);
    }
    return {
      id: typeof entry['id'] === 'string' ? entry['id'] : `call_${index}`,
      name: fn['name'],
      arguments:
        typeof fn['arguments'] === 'string' ? fn['arguments'] : JSON.stringify(fn['arguments'] ?? {}),
    };
  });
}

async function readTurnJson(response: Response, endpoint: Endpoint): Promise<TurnAnswer> {
  const { body, parsed, message } = await readFirstMessage(response, endpoint);
  const toolCalls = readToolCalls(message['tool_calls'], body, endpoint);
  const content = message['content'];
  if (typeof content !== 'string' && toolCalls.length === 0) {
    throw malformedBodyError(body, 'neither text content nor tool calls', endpoint);
  }
  return {
    text: typeof content === 'string' ? content : '',
    toolCalls,
    model: typeof parsed['model'] === 'string' ? parsed['model'] : undefined,
    usage: tokenCounts(parsed['usage']),
  };
}

/**
 * Reads an SSE answer with the SDK's decoder (loaded only for one). `controller` is the request's: the decoder
 * aborts it when it stops reading early. An error event from the server is a failure mid-answer.
 */
async function readTurnStream(
  response: Response,
  controller: AbortController,
  endpoint: Endpoint,
): Promise<TurnAnswer> {
  const [{ Stream }, { APIError }] = await Promise.all([import('openai/streaming'), import('openai/error')]);
  const stream = Stream.fromSSEResponse<ChatCompletionChunk>(response, controller);
  let text = '';
  let model: string | undefined;
  let usage: TokenCounts | undefined;
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  let finished = false;
  try {
    for await (const chunk of stream) {
      model ??= chunk.model;
      if (chunk.choices[0]?.finish_reason) finished = true;
      const delta = chunk.choices[0]?.delta;
      text += delta?.content ?? '';
      for (const part of delta?.tool_calls ?? []) {
        const call = (calls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) call.id = part.id;
        call.name += part.function?.name ?? '';
        call.arguments += part.function?.arguments ?? '';
      }
      usage = tokenCounts(chunk.usage) ?? usage;
    }
  } catch (error) {
    if (error instanceof APIError) {
      throw new CallError(
        `provider "${endpoint.provider}" failed mid-answer: ${error.message}`,
        'recoverable',
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  if (!finished) throw new StreamCut();
  const toolCalls = calls.filter(Boolean).map((call, index) => ({ ...call, id: call.id || `call_${index}` }));
  return { text, toolCalls, model, usage };
}

async function turnOnce(request: TurnRequest, context: CallContext): Promise<TurnResult> {
  const provider = request.provider;
  const { endpoint, apiKey } = endpointFor(provider, request.model, context.env);
  const target = targetFor(provider, apiKey, endpoint.baseUrl, context.env);
  const params = turnParams(request);
  const guard = guardCall(context, provider.timeoutMs);
  try {
    const answer = await exchange(target, params, provider.stream, guard, endpoint, readTurnJson);
    const model = answer.model ?? request.model;
    if (!answer.usage) context.log?.(`provider "${provider.name}" reported no usage; tokens are estimated`);
    const counts = answer.usage ?? {
      input: Math.ceil(JSON.stringify(params.messages).length / 4),
      output: Math.ceil((answer.text.length + JSON.stringify(answer.toolCalls).length) / 4),
      cached: 0,
    };
    return {
      text: answer.text,
      toolCalls: answer.toolCalls,
      model,
      usage: toUsage([model, request.model], counts, context.pricing),
    };
  } catch (error) {
    throw classify(error, guard, endpoint);
  } finally {
    guard.dispose();
  }
}

export const openaiProvider: AgentProvider = {
  call(request: AgentRequest, context: CallContext): Promise<AgentResult> {
    return withStructuredOutput(request, `provider "${request.provider.name}"`, (correction) =>
      attemptOnce(request, context, correction),
    );
  },
  turn: turnOnce,
};
