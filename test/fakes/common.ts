// Shared plumbing of the fake provider servers: recording, queued faults, schema-conforming answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it did not parse). */
  body: unknown;
  /** The text of the user turns, joined by blank lines (a correction turn included). */
  prompt: string;
  system?: string;
  /** The client closed the connection before the answer was complete (abort, timeout). */
  closedEarly: boolean;
  /** The answer was sent completely. */
  answered: boolean;
}

export interface FakeUsage {
  input?: number;
  output?: number;
  cached?: number;
  /** anthropic: cache-creation input tokens. */
  cacheWrite?: number;
  /** openai: `usage.cost` in USD, as OpenRouter reports it. */
  cost?: number;
}

/** An answer chosen by a test; fields left out take their default. */
export interface FakeReply {
  text: string;
  /** Tool calls to answer with (a turn of a tool loop); `arguments` is sent as the model would write it. */
  toolCalls?: Array<{ name: string; arguments: unknown; id?: string }>;
  model?: string;
  usage?: FakeUsage;
}

/** Return undefined to fall back to the default answer. */
export type Responder = (request: RecordedRequest) => FakeReply | undefined;

export interface FaultSpec {
  /** Answer with this HTTP status and an error body in the provider's format. */
  status?: number;
  /** `retry-after` header, in seconds. */
  retryAfter?: number;
  /** `retry-after-ms` header. */
  retryAfterMs?: number;
  /** Error message / code in the error body. */
  message?: string;
  code?: string;
  /** Never answer (the connection stays open until the client gives up). */
  hang?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  malformed?: boolean;
  /** Answer with JSON that does not conform to the request's schema. */
  nonConforming?: boolean;
  /**
   * Streamed answers: send the first part of the text, then `stall` (keep the connection open,
   * never finishing) or `close` (end the body without a finish reason / stop event).
   */
  cut?: 'stall' | 'close';
  /** How many requests the fault applies to (default 1). */
  times?: number;
  /** Only requests whose prompt contains this text. */
  match?: string;
}

export interface FakeServer {
  /** Base URL: with `/v1` for openai, without for anthropic (as the SDKs' env vars expect). */
  url: string;
  requests: RecordedRequest[];
  respond: (fn: Responder) => void;
  fault: (spec: FaultSpec) => void;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** The model reported in answers (default: the requested one). */
  model?: string;
  /** When set, requests without this key are answered 401. */
  apiKey?: string;
  /** When set, other models are answered 404. */
  models?: string[];
  /** Cached input tokens reported by default. */
  cachedTokens?: number;
  /** openai: report `usage.cost` (OpenRouter style) on every answer. */
  cost?: number;
}

export class FaultQueue {
  private readonly queue: Array<FaultSpec & { left: number }> = [];

  add(spec: FaultSpec): void {
    this.queue.push({ ...spec, left: spec.times ?? 1 });
  }

  take(prompt: string): FaultSpec | undefined {
    const index = this.queue.findIndex((fault) => fault.match === undefined || prompt.includes(fault.match));
    const fault = this.queue[index];
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) this.queue.splice(index, 1);
    return fault;
  }
}

export function tokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value that conforms to simple schemas: objects, arrays, strings, numbers, booleans, enums, const. */
export function conformingValue(schema: unknown, hint = 'value'): unknown {
  if (!isSchema(schema)) return hint;
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum'])) return schema['enum'][0];
  const type = Array.isArray(schema['type']) ? schema['type'][0] : schema['type'];
  switch (type) {
    case 'object': {
      const properties = isSchema(schema['properties']) ? schema['properties'] : {};
      return Object.fromEntries(
        Object.entries(properties).map(([key, sub]) => [key, conformingValue(sub, key)]),
      );
    }
    case 'array': {
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1;
      return Array.from({ length: Math.max(1, min) }, () => conformingValue(schema['items'], hint));
    }
    case 'number':
    case 'integer':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return hint;
  }
}

/** A value that breaks the schema: required properties missing, the others of the wrong type. */
export function nonConformingValue(schema: unknown): unknown {
  if (!isSchema(schema) || schema['type'] !== 'object') return { unexpected: true };
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  const wrong: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(properties)) {
    if (required.includes(key)) continue;
    wrong[key] = isSchema(sub) && sub['type'] === 'string' ? 12345 : 'not-what-was-asked';
  }
  return wrong;
}

export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Text of a message's content: a string, or an array of text blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => (isSchema(block) && typeof block['text'] === 'string' ? block['text'] : ''))
    .join('');
}

export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: RecordedRequest;
  body: unknown;
}

/** Listens on 127.0.0.1:0; `handle` answers each request, which is recorded with its fate. */
export async function listen(
  handle: (exchange: Exchange) => void | Promise<void>,
  prepare: (body: unknown) => { prompt: string; system?: string },
): Promise<{ port: number; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        headers: req.headers,
        body,
        ...prepare(body),
        closedEarly: false,
        answered: false,
      };
      requests.push(record);
      res.on('finish', () => {
        record.answered = true;
      });
      res.on('close', () => {
        if (!res.writableFinished) record.closedEarly = true;
      });
      await handle({ req, res, record, body });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function faultHeaders(fault: FaultSpec): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  return headers;
}

export function sendMalformed(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"id": "broken", "choices": [ <html>upstream proxy error');
}
