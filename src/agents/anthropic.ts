// The `anthropic` provider: the Messages API through the official SDK. Structured output is asked for in
// the system prompt and parsed from the text, which works on every Claude model and compatible gateway.
// Unlike `openai` (a wire format many servers speak, sent with fetch), this is one vendor's versioned API:
// the SDK keeps its `anthropic-version` header and its authentication schemes current.
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { ProviderDef } from '../workflow/types.js';
import { ANTHROPIC_KEY_ENV, anthropicCredential } from './credentials.js';
import {
  apiErrorDetail,
  guardCall,
  httpError,
  isRecord,
  malformedBodyError,
  readKey,
  transportError,
  type CallGuard,
  type Endpoint,
} from './http.js';
import { toUsage, type TokenCounts } from './pricing.js';
import { schemaInstruction, withStructuredOutput, type Attempt, type Correction } from './structured.js';
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

/** The Messages API requires `max_tokens`. */
export const DEFAULT_MAX_TOKENS = 4096;

const clients = new Map<string, Anthropic>();

function clientFor(
  provider: ProviderDef,
  credential: { apiKey?: string; authToken?: string },
  baseURL: string,
) {
  const cacheKey = JSON.stringify([provider.name, credential, baseURL, provider.headers ?? {}]);
  let client = clients.get(cacheKey);
  if (!client) {
    // Credentials and base URL are always passed, so the SDK never reads process.env for them.
    client = new Anthropic({ ...credential, baseURL, maxRetries: 0, defaultHeaders: provider.headers });
    clients.set(cacheKey, client);
  }
  return client;
}

function endpointFor(provider: ProviderDef, model: string, env: CallContext['env']) {
  const { names, required, baseUrl } = anthropicCredential(provider, env);
  const key = readKey(env, names);
  const keyEnv = key.value === undefined ? (names[0] ?? ANTHROPIC_KEY_ENV) : key.name;
  if (key.value === undefined && required) {
    throw new CallError(
      `${keyEnv} is not set: export it, or set api-key-env on provider "${provider.name}"`,
      'fatal',
    );
  }
  const credential =
    key.value === undefined
      ? { apiKey: 'no-key' }
      : key.name === 'ANTHROPIC_AUTH_TOKEN'
        ? { authToken: key.value }
        : { apiKey: key.value };
  const endpoint: Endpoint = {
    provider: provider.name,
    baseUrl,
    model,
    keyEnv,
    keyMissing: key.value === undefined,
  };
  return { endpoint, credential };
}

function buildParams(request: AgentRequest, correction?: Correction): MessageCreateParamsNonStreaming {
  const system = [request.system, request.schema ? schemaInstruction(request.schema) : undefined]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n\n');
  const messages: MessageParam[] = [{ role: 'user', content: request.prompt }];
  if (correction) {
    messages.push({ role: 'assistant', content: correction.previousText });
    messages.push({ role: 'user', content: correction.message });
  }
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages,
    ...(system !== '' ? { system } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
}

/** Anthropic's `input_tokens` excludes cache reads and writes; reprise counts all of them as input. */
function tokenCounts(usage: unknown): TokenCounts | undefined {
  if (!isRecord(usage)) return undefined;
  const input = usage['input_tokens'];
  const output = usage['output_tokens'];
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  const cached = typeof usage['cache_read_input_tokens'] === 'number' ? usage['cache_read_input_tokens'] : 0;
  const written =
    typeof usage['cache_creation_input_tokens'] === 'number' ? usage['cache_creation_input_tokens'] : 0;
  return { input: input + cached + written, output, cached, cacheWrite: written };
}

async function readAnswer(response: Response, endpoint: Endpoint) {
  const body = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw malformedBodyError(body, 'not JSON', endpoint);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed['content'])) {
    throw malformedBodyError(body, 'no content', endpoint);
  }
  const text = parsed['content']
    .filter((block): block is Record<string, unknown> => isRecord(block) && block['type'] === 'text')
    .map((block) => (typeof block['text'] === 'string' ? block['text'] : ''))
    .join('');
  const usage = tokenCounts(parsed['usage']);
  if (!usage) throw malformedBodyError(body, 'no usage', endpoint);
  const model = typeof parsed['model'] === 'string' ? parsed['model'] : endpoint.model;
  return { text, model, usage, stopReason: parsed['stop_reason'] };
}

function classify(error: unknown, guard: CallGuard, endpoint: Endpoint): CallError {
  if (error instanceof CallError) return error;
  if (error instanceof APIError && typeof error.status === 'number') {
    const detail = apiErrorDetail(error.error, error.message.replace(/^\d{3} /, ''));
    return httpError({ status: error.status, headers: error.headers, ...detail, cause: error }, endpoint);
  }
  return transportError(error, guard, endpoint);
}

async function attemptOnce(
  request: AgentRequest,
  context: CallContext,
  correction: Correction | undefined,
): Promise<Attempt> {
  const { endpoint, credential } = endpointFor(request.provider, request.model, context.env);
  const client = clientFor(request.provider, credential, endpoint.baseUrl);
  const guard = guardCall(context, request.provider.timeoutMs);
  try {
    const response = await client.messages
      .create(buildParams(request, correction), { signal: guard.signal, timeout: guard.timeoutMs })
      .asResponse();
    const answer = await readAnswer(response, endpoint);
    if (answer.stopReason === 'max_tokens') {
      context.log?.(`model "${answer.model}" stopped at max_tokens; the answer may be cut short`);
    }
    return {
      text: answer.text,
      model: answer.model,
      usage: toUsage([answer.model, request.model], answer.usage, context.pricing),
    };
  } catch (error) {
    throw classify(error, guard, endpoint);
  } finally {
    guard.dispose();
  }
}

function turnParams(request: TurnRequest): MessageCreateParamsNonStreaming {
  const system = [request.system, request.schema ? schemaInstruction(request.schema) : undefined]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n\n');
  const messages: MessageParam[] = request.messages.map((message): MessageParam => {
    if (message.role === 'user') return { role: 'user', content: message.content };
    if (message.role === 'assistant') {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: [
          ...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : []),
          ...calls.map((call) => ({
            type: 'tool_use' as const,
            id: call.id,
            name: call.name,
            input: parseInput(call.arguments),
          })),
        ],
      };
    }
    return {
      role: 'user',
      content: message.results.map((result) => ({
        type: 'tool_result' as const,
        tool_use_id: result.id,
        content: result.content,
        ...(result.isError ? { is_error: true } : {}),
      })),
    };
  });
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages,
    ...(request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            input_schema: { type: 'object' as const, ...tool.parameters },
          })),
        }
      : {}),
    ...(system !== '' ? { system } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
}

/** A tool_use input is an object; what the model wrote is kept as text and parsed back here. */
function parseInput(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

function readToolUses(content: unknown[], body: string, endpoint: Endpoint): ToolCall[] {
  return content
    .filter((block): block is Record<string, unknown> => isRecord(block) && block['type'] === 'tool_use')
    .map((block, index) => {
      if (typeof block['name'] !== 'string') {
        throw malformedBodyError(body, `tool_use block ${index} has no name`, endpoint);
      }
      return {
        id: typeof block['id'] === 'string' ? block['id'] : `toolu_${index}`,
        name: block['name'],
        arguments: JSON.stringify(block['input'] ?? {}),
      };
    });
}

async function turnOnce(request: TurnRequest, context: CallContext): Promise<TurnResult> {
  const { endpoint, credential } = endpointFor(request.provider, request.model, context.env);
  const client = clientFor(request.provider, credential, endpoint.baseUrl);
  const guard = guardCall(context, request.provider.timeoutMs);
  try {
    const response = await client.messages
      .create(turnParams(request), { signal: guard.signal, timeout: guard.timeoutMs })
      .asResponse();
    const body = await response.text();
    const answer = await readAnswer(new Response(body), endpoint);
    const parsed = JSON.parse(body) as { content: unknown[] };
    const toolCalls = readToolUses(parsed.content, body, endpoint);
    if (answer.stopReason === 'max_tokens') {
      context.log?.(`model "${answer.model}" stopped at max_tokens; the answer may be cut short`);
    }
    return {
      text: answer.text,
      toolCalls,
      model: answer.model,
      usage: toUsage([answer.model, request.model], answer.usage, context.pricing),
    };
  } catch (error) {
    throw classify(error, guard, endpoint);
  } finally {
    guard.dispose();
  }
}

export const anthropicProvider: AgentProvider = {
  call(request: AgentRequest, context: CallContext): Promise<AgentResult> {
    return withStructuredOutput(request, `provider "${request.provider.name}"`, (correction) =>
      attemptOnce(request, context, correction),
    );
  },
  turn: turnOnce,
};
