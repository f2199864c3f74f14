// A wire-compatible fake of OpenAI's Chat Completions (`POST /v1/chat/completions`), plain and streamed.
// Default answer: `echo: <prompt>`, or for a `json_schema` response format a value conforming to the schema.
import type http from 'node:http';
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

export interface FakeOpenAIOptions extends FakeOptions {
  /** Answer with an SSE stream even when the request did not ask for one. */
  alwaysStream?: boolean;
}

type Body = Record<string, unknown>;
type Message = { role?: unknown; content?: unknown };

function messagesOf(body: unknown): Message[] {
  const messages = (body as Body | undefined)?.['messages'];
  return Array.isArray(messages) ? (messages as Message[]) : [];
}

function prepare(body: unknown): { prompt: string; system?: string } {
  const messages = messagesOf(body);
  const system = messages.find((message) => message.role === 'system' || message.role === 'developer');
  return {
    prompt: messages
      .filter((message) => message.role === 'user')
      .map((message) => contentText(message.content))
      .join('\n\n'),
    ...(system ? { system: contentText(system.content) } : {}),
  };
}

function schemaOf(body: Body): unknown {
  const format = body['response_format'] as Body | undefined;
  if (format?.['type'] !== 'json_schema') return undefined;
  return (format['json_schema'] as Body | undefined)?.['schema'];
}

function errorBody(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeServer> {
  const faults = new FaultQueue();
  let responder: Responder | undefined;

  const server = await listen(({ req, res, record, body }) => {
    if (req.method !== 'POST' || record.path !== '/v1/chat/completions') {
      sendJson(
        res,
        404,
        errorBody(`Unknown route ${req.method} ${record.path}`, 'invalid_request_error', null),
      );
      return;
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(
        res,
        401,
        errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
      return;
    }
    if (typeof body !== 'object' || body === null) {
      sendJson(
        res,
        400,
        errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null),
      );
      return;
    }
    const request = body as Body;
    const model = String(request['model']);
    if (options.models && !options.models.includes(model)) {
      sendJson(
        res,
        404,
        errorBody(
          `The model \`${model}\` does not exist or you do not have access to it.`,
          'invalid_request_error',
          'model_not_found',
        ),
      );
      return;
    }
    const fault = faults.take(record.prompt);
    if (fault?.hang) return;
    if (fault?.malformed) {
      if (request['stream'] === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"id": "broken", "choices": [ <html>\n\n');
      } else {
        sendMalformed(res);
      }
      return;
    }
    if (fault?.status !== undefined) {
      sendJson(
        res,
        fault.status,
        errorBody(fault.message ?? `fake fault ${fault.status}`, 'server_error', fault.code ?? null),
        faultHeaders(fault),
      );
      return;
    }
    const schema = schemaOf(request);
    const reply: FakeReply = responder?.(record) ?? {
      text:
        schema === undefined
          ? `echo: ${record.prompt}`
          : JSON.stringify(fault?.nonConforming ? nonConformingValue(schema) : conformingValue(schema)),
    };
    const promptChars = messagesOf(request).reduce(
      (sum, message) => sum + contentText(message.content).length,
      0,
    );
    const input = reply.usage?.input ?? tokensOf('x'.repeat(promptChars));
    const usage = {
      prompt_tokens: input,
      completion_tokens: reply.usage?.output ?? tokensOf(reply.text),
      total_tokens: 0,
      prompt_tokens_details: {
        cached_tokens: reply.usage?.cached ?? Math.min(options.cachedTokens ?? 0, input),
      },
      ...((reply.usage?.cost ?? options.cost) !== undefined
        ? { cost: reply.usage?.cost ?? options.cost }
        : {}),
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const answered = reply.model ?? options.model ?? model;
    if (request['stream'] === true || options.alwaysStream) {
      const includeUsage = (request['stream_options'] as Body | undefined)?.['include_usage'] === true;
      stream(
        res,
        reply.text,
        answered,
        includeUsage || options.alwaysStream === true ? usage : undefined,
        reply.toolCalls,
        fault?.cut,
      );
      return;
    }
    sendJson(res, 200, {
      id: `chatcmpl-${server.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: answered,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.toolCalls?.length && reply.text === '' ? null : reply.text,
            refusal: null,
            ...(reply.toolCalls?.length
              ? {
                  tool_calls: reply.toolCalls.map((call, index) => ({
                    id: call.id ?? `call_${server.requests.length}_${index}`,
                    type: 'function',
                    function: {
                      name: call.name,
                      arguments:
                        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
                    },
                  })),
                }
              : {}),
          },
          finish_reason: reply.toolCalls?.length ? 'tool_calls' : 'stop',
          logprobs: null,
        },
      ],
      usage,
    });
  }, prepare);

  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests: server.requests,
    respond: (fn) => {
      responder = fn;
    },
    fault: (spec) => faults.add(spec),
    close: server.close,
  };
}

/**
 * Sends the text in three chunks, then each tool call (its id and name, then its arguments in two pieces, as
 * OpenAI streams them), then the usage chunk (empty `choices`), then `[DONE]`. With `cut`, only the first
 * chunk goes out, and the stream then stalls or ends without a finish reason.
 */
function stream(
  res: http.ServerResponse,
  text: string,
  model: string,
  usage: object | undefined,
  toolCalls: FakeReply['toolCalls'] = [],
  cut?: 'stall' | 'close',
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = {
    id: 'chatcmpl-stream',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
  };
  const send = (chunk: object) => res.write(`data: ${JSON.stringify({ ...base, ...chunk })}\n\n`);
  send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  const third = Math.ceil(text.length / 3) || 1;
  for (let at = 0; at < text.length; at += third) {
    send({ choices: [{ index: 0, delta: { content: text.slice(at, at + third) }, finish_reason: null }] });
    if (cut === 'stall') return;
    if (cut === 'close') {
      res.end();
      return;
    }
  }
  toolCalls.forEach((call, index) => {
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    const half = Math.ceil(args.length / 2);
    const part = (delta: object) =>
      send({ choices: [{ index: 0, delta: { tool_calls: [{ index, ...delta }] }, finish_reason: null }] });
    part({ id: call.id ?? `call_s${index}`, type: 'function', function: { name: call.name, arguments: '' } });
    part({ function: { arguments: args.slice(0, half) } });
    part({ function: { arguments: args.slice(half) } });
  });
  send({ choices: [{ index: 0, delta: {}, finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop' }] });
  if (usage) send({ choices: [], usage });
  res.end('data: [DONE]\n\n');
}
