// A wire-compatible fake of Anthropic's Messages API (`POST /v1/messages`).
// Default answer: `echo: <prompt>`; when the system prompt carries a JSON Schema in a ```json block (as
// reprise's structured-output instruction does), a conforming value inside a ```json fence.
import {
  conformingValue,
  contentText,
  FaultQueue,
  faultHeaders,
  listen,
  nonConformingValue,
  sendJson,
  sendMalformed,
  tokensOf,
  type FakeOptions,
  type FakeReply,
  type FakeServer,
  type Responder,
} from './common.js';

export type { FakeServer, FakeOptions, FakeReply, FaultSpec, RecordedRequest, Responder } from './common.js';

type Body = Record<string, unknown>;
type Message = { role?: unknown; content?: unknown };

function messagesOf(body: unknown): Message[] {
  const messages = (body as Body | undefined)?.['messages'];
  return Array.isArray(messages) ? (messages as Message[]) : [];
}

function prepare(body: unknown): { prompt: string; system?: string } {
  const system = (body as Body | undefined)?.['system'];
  return {
    prompt: messagesOf(body)
      .filter((message) => message.role === 'user')
      .map((message) => contentText(message.content))
      .join('\n\n'),
    ...(system !== undefined ? { system: contentText(system) } : {}),
  };
}

/** The JSON Schema in the system prompt's ```json block, if there is one. */
function schemaIn(system: string | undefined): unknown {
  const block = system === undefined ? undefined : /```json\n([\s\S]*?)\n```/.exec(system)?.[1];
  if (block === undefined) return undefined;
  try {
    return JSON.parse(block) as unknown;
  } catch {
    return undefined;
  }
}

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export async function startFakeAnthropic(options: FakeOptions = {}): Promise<FakeServer> {
  const faults = new FaultQueue();
  let responder: Responder | undefined;

  const server = await listen(({ req, res, record, body }) => {
    if (req.method !== 'POST' || record.path !== '/v1/messages') {
      sendJson(res, 404, errorBody('not_found_error', `Unknown route ${req.method} ${record.path}`));
      return;
    }
    const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (options.apiKey !== undefined && key !== options.apiKey) {
      sendJson(res, 401, errorBody('authentication_error', 'invalid x-api-key'));
      return;
    }
    if (typeof body !== 'object' || body === null) {
      sendJson(res, 400, errorBody('invalid_request_error', 'The request body is not valid JSON.'));
      return;
    }
    const request = body as Body;
    const model = String(request['model']);
    if (typeof request['max_tokens'] !== 'number') {
      sendJson(res, 400, errorBody('invalid_request_error', 'max_tokens: Field required'));
      return;
    }
    if (options.models && !options.models.includes(model)) {
      sendJson(res, 404, errorBody('not_found_error', `model: ${model}`));
      return;
    }
    const fault = faults.take(record.prompt);
    if (fault?.hang) return;
    if (fault?.malformed) {
      sendMalformed(res);
      return;
    }
    if (fault?.status !== undefined) {
      sendJson(
        res,
        fault.status,
        errorBody(ERROR_TYPES[fault.status] ?? 'api_error', fault.message ?? `fake fault ${fault.status}`),
        faultHeaders(fault),
      );
      return;
    }
    const schema = schemaIn(record.system);
    const reply: FakeReply = responder?.(record) ?? {
      text:
        schema === undefined
          ? `echo: ${record.prompt}`
          : '```json\n' +
            JSON.stringify(
              fault?.nonConforming ? nonConformingValue(schema) : conformingValue(schema),
              null,
              2,
            ) +
            '\n```',
    };
    const promptChars =
      (record.system?.length ?? 0) +
      messagesOf(request).reduce((sum, message) => sum + contentText(message.content).length, 0);
    const cached = reply.usage?.cached ?? options.cachedTokens ?? 0;
    const written = reply.usage?.cacheWrite ?? 0;
    // Anthropic's input_tokens counts only what was neither read from nor written to the cache.
    const total = reply.usage?.input ?? Math.max(tokensOf('x'.repeat(promptChars)), cached + written);
    sendJson(res, 200, {
      id: `msg_${server.requests.length}`,
      type: 'message',
      role: 'assistant',
      model: reply.model ?? options.model ?? model,
      content: [
        ...(reply.text !== '' || !reply.toolCalls?.length ? [{ type: 'text', text: reply.text }] : []),
        ...(reply.toolCalls ?? []).map((call, index) => ({
          type: 'tool_use',
          id: call.id ?? `toolu_${server.requests.length}_${index}`,
          name: call.name,
          input: typeof call.arguments === 'string' ? parseOrKeep(call.arguments) : call.arguments,
        })),
      ],
      stop_reason: reply.toolCalls?.length ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: total - cached - written,
        output_tokens: reply.usage?.output ?? tokensOf(reply.text),
        cache_read_input_tokens: cached,
        cache_creation_input_tokens: written,
      },
    });
  }, prepare);

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests: server.requests,
    respond: (fn) => {
      responder = fn;
    },
    fault: (spec) => faults.add(spec),
    close: server.close,
  };
}

/** Arguments a test wrote as text: parsed when they are JSON, else sent as the (malformed) text itself. */
function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
