import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callAgent } from '../../src/agents/index.js';
import type { ProviderDef } from '../../src/workflow/types.js';
import { startFakeOpenAI, type FakeServer } from '../fakes/openai-server.js';
import { callErrorOf, makeContext, makeRequest, SEVERITY_SCHEMA } from './helpers.js';
import packageJson from '../../package.json' with { type: 'json' };
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const KEY = 'sk-test-123';
let fake: FakeServer;
let provider: ProviderDef;
const env = () => ({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.url });

beforeEach(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY });
  provider = { name: 'openai', type: 'openai' };
});
afterEach(async () => {
  await fake.close();
});

describe('openai provider: answers', () => {
  it('sends system and user messages with the parameters and returns the answer with exact usage and cost', async () => {
    fake.respond(() => ({ text: 'hello there', usage: { input: 1000, output: 500, cached: 200 } }));
    const result = await callAgent(
      makeRequest(provider, { model: 'gpt-4.1-mini', system: 'be brief', temperature: 0.2, maxTokens: 300 }),
      makeContext({ env: env() }),
    );
    expect(result.text).toBe('hello there');
    expect(result.model).toBe('gpt-4.1-mini');
    // gpt-4.1-mini: $0.40 in, $1.60 out, $0.10 cached (per million): 800*0.4 + 200*0.1 + 500*1.6 = 1140
    expect(result.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 200,
      costUsd: 0.00114,
    });
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'say hi' },
      ],
      temperature: 0.2,
      max_tokens: 300,
    });
    expect(request?.body).not.toHaveProperty('stream');
  });

  it('uses max_completion_tokens for reasoning models', async () => {
    await callAgent(
      makeRequest(provider, { model: 'gpt-5-mini', maxTokens: 50 }),
      makeContext({ env: env() }),
    );
    expect(fake.requests[0]?.body).toMatchObject({ max_completion_tokens: 50 });
    expect(fake.requests[0]?.body).not.toHaveProperty('max_tokens');
  });

  it('streams when the provider asks for it, with usage still exact', async () => {
    fake.respond(() => ({ text: 'a streamed answer', usage: { input: 40, output: 7, cached: 0 } }));
    const result = await callAgent(
      makeRequest({ ...provider, stream: true } as ProviderDef, { model: 'gpt-4o' }),
      makeContext({ env: env() }),
    );
    expect(result.text).toBe('a streamed answer');
    expect(result.usage).toEqual({
      inputTokens: 40,
      outputTokens: 7,
      cachedInputTokens: 0,
      costUsd: 0.00017,
    });
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('reads an SSE answer it did not ask for', async () => {
    await fake.close();
    fake = await startFakeOpenAI({ alwaysStream: true });
    const result = await callAgent(makeRequest(provider), makeContext({ env: env() }));
    expect(result.text).toBe('echo: say hi');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('passes through the cost an endpoint reports (OpenRouter usage.cost)', async () => {
    fake.respond(() => ({
      text: 'ok',
      model: 'openai/gpt-4o',
      usage: { input: 10, output: 10, cost: 0.4242 },
    }));
    const result = await callAgent(
      makeRequest(provider, { model: 'openai/gpt-4o' }),
      makeContext({ env: env() }),
    );
    expect(result.usage.costUsd).toBe(0.4242);
    expect(result.model).toBe('openai/gpt-4o');
  });

  it('prices with the workflow pricing map, and leaves an unknown price null', async () => {
    fake.respond(() => ({ text: 'ok', usage: { input: 2_000_000, output: 1_000_000, cached: 1_000_000 } }));
    const priced = await callAgent(
      makeRequest(provider, { model: 'my-finetune' }),
      makeContext({ env: env(), pricing: { 'my-finetune': { input: 1, output: 2, cachedInput: 0.5 } } }),
    );
    expect(priced.usage.costUsd).toBe(1 + 0.5 + 2);
    const unknown = await callAgent(
      makeRequest(provider, { model: 'my-finetune' }),
      makeContext({ env: env() }),
    );
    expect(unknown.usage.costUsd).toBeNull();
  });

  it('works against a keyless custom endpoint (Ollama style) and keeps colons in model names', async () => {
    await fake.close();
    fake = await startFakeOpenAI();
    const result = await callAgent(
      makeRequest({ name: 'ollama', type: 'openai', baseUrl: fake.url }, { model: 'llama3:8b' }),
      makeContext({ env: {} }),
    );
    expect(result.text).toBe('echo: say hi');
    expect(fake.requests[0]?.body).toMatchObject({ model: 'llama3:8b' });
    // No key, no Authorization header (not a placeholder bearer a gateway would log).
    expect(fake.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('sends the wire format itself: JSON with a user agent naming reprise, and the provider headers replace its own whatever their case', async () => {
    await fake.close();
    fake = await startFakeOpenAI();
    await callAgent(makeRequest(provider), makeContext({ env: env() }));
    expect(fake.requests[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${KEY}`,
      'user-agent': `reprise/${packageJson.version}`,
    });
    const gateway: ProviderDef = {
      name: 'gateway',
      type: 'openai',
      baseUrl: fake.url,
      headers: { Authorization: 'Bearer gateway-token', 'User-Agent': 'my-app/1.0' },
    };
    await callAgent(makeRequest(gateway), makeContext({ env: { OPENAI_API_KEY: KEY } }));
    // One value each: the provider's, not both joined.
    expect(fake.requests[1]?.headers.authorization).toBe('Bearer gateway-token');
    expect(fake.requests[1]?.headers['user-agent']).toBe('my-app/1.0');
  });

  it('sends the provider headers and reads the key from api-key-env', async () => {
    await callAgent(
      makeRequest({
        name: 'router',
        type: 'openai',
        baseUrl: fake.url,
        apiKeyEnv: 'ROUTER_KEY',
        headers: { 'x-title': 'reprise' },
      }),
      makeContext({ env: { ROUTER_KEY: KEY } }),
    );
    expect(fake.requests[0]?.headers['x-title']).toBe('reprise');
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});

describe('openai provider: clients kept across calls', () => {
  it('reuses a client only for the same provider and credentials: each call still sends its own key, organization, project, endpoint and headers', async () => {
    const first = await startFakeOpenAI();
    const second = await startFakeOpenAI();
    try {
      const router: ProviderDef = { name: 'router', type: 'openai', headers: { 'x-title': 'router' } };
      const plain: ProviderDef = { name: 'plain', type: 'openai' };
      const calls: Array<[ProviderDef, Record<string, string>, FakeServer]> = [
        [router, { OPENAI_API_KEY: 'key-one' }, first],
        [router, { OPENAI_API_KEY: 'key-two', OPENAI_ORG_ID: 'org-2' }, first],
        [router, { OPENAI_API_KEY: 'key-two', OPENAI_PROJECT_ID: 'proj-3' }, first],
        [router, { OPENAI_API_KEY: 'key-one' }, second],
        [plain, { OPENAI_API_KEY: 'key-one' }, first],
        [router, { OPENAI_API_KEY: 'key-one' }, first],
      ];
      const sent = [];
      for (const [def, callEnv, server] of calls) {
        const before = server.requests.length;
        await callAgent(makeRequest(def), makeContext({ env: { ...callEnv, OPENAI_BASE_URL: server.url } }));
        expect(server.requests).toHaveLength(before + 1);
        const { headers } = server.requests[before]!;
        sent.push([
          headers.authorization,
          headers['openai-organization'],
          headers['openai-project'],
          headers['x-title'],
        ]);
      }
      expect(sent).toEqual([
        ['Bearer key-one', undefined, undefined, 'router'],
        ['Bearer key-two', 'org-2', undefined, 'router'],
        ['Bearer key-two', undefined, 'proj-3', 'router'],
        ['Bearer key-one', undefined, undefined, 'router'],
        ['Bearer key-one', undefined, undefined, undefined],
        ['Bearer key-one', undefined, undefined, 'router'],
      ]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('openai provider: structured output', () => {
  it('asks for json_schema and returns the validated value', async () => {
    const result = await callAgent(
      makeRequest(provider, { schema: SEVERITY_SCHEMA }),
      makeContext({ env: env() }),
    );
    expect(result.json).toEqual({ severity: 'none', summary: 'summary', score: 1, blocking: true });
    expect(JSON.parse(result.text)).toEqual(result.json);
    expect(fake.requests[0]?.body).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: SEVERITY_SCHEMA, strict: false },
      },
    });
  });

  it('retries once with the validation errors shown to the model', async () => {
    fake.fault({ nonConforming: true });
    const result = await callAgent(
      makeRequest(provider, { schema: SEVERITY_SCHEMA }),
      makeContext({ env: env() }),
    );
    expect(result.json).toMatchObject({ severity: 'none' });
    expect(fake.requests).toHaveLength(2);
    const retry = fake.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    expect(retry.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.parse(retry.messages[1]?.content ?? '')).not.toHaveProperty('severity');
    expect(retry.messages[2]?.content).toContain("must have required property 'severity'");
    expect(retry).toHaveProperty('response_format');
  });

  it('reports the usage of both attempts, and shows the allowed values of an enum', async () => {
    fake.respond(() =>
      fake.requests.length === 1
        ? { text: '{"severity": "catastrophic", "summary": "x"}', usage: { input: 100, output: 10 } }
        : { text: '{"severity": "major", "summary": "x"}', usage: { input: 150, output: 20 } },
    );
    const result = await callAgent(
      makeRequest(provider, { model: 'gpt-4o', schema: SEVERITY_SCHEMA }),
      makeContext({ env: env() }),
    );
    expect(result.json).toEqual({ severity: 'major', summary: 'x' });
    expect(result.usage).toEqual({
      inputTokens: 250,
      outputTokens: 30,
      cachedInputTokens: 0,
      costUsd: 0.000925,
    });
    expect(fake.requests[1]?.prompt).toContain(
      '/severity must be equal to one of the allowed values: ["none","minor","major"]',
    );
  });

  it('fails fatally, listing the errors, when the corrected answer still does not conform', async () => {
    fake.fault({ nonConforming: true, times: 2 });
    const error = await callErrorOf(
      callAgent(makeRequest(provider, { schema: SEVERITY_SCHEMA }), makeContext({ env: env() })),
    );
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toContain("must have required property 'severity'");
    expect(error.message).toContain("must have required property 'summary'");
    expect(error.usage?.inputTokens).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('openai provider: failures', () => {
  it('429 with retry-after is recoverable and carries retryAfterMs', async () => {
    fake.fault({ status: 429, retryAfter: 2 });
    const error = await callErrorOf(callAgent(makeRequest(provider), makeContext({ env: env() })));
    expect(error).toMatchObject({ errorClass: 'recoverable', status: 429, retryAfterMs: 2000 });
    expect(fake.requests).toHaveLength(1); // the SDK did not retry on its own
  });

  it('prefers retry-after-ms', async () => {
    fake.fault({ status: 429, retryAfterMs: 1500, retryAfter: 9 });
    const error = await callErrorOf(callAgent(makeRequest(provider), makeContext({ env: env() })));
    expect(error.retryAfterMs).toBe(1500);
  });

  it('429 insufficient_quota is fatal', async () => {
    fake.fault({ status: 429, code: 'insufficient_quota', message: 'You exceeded your current quota' });
    const error = await callErrorOf(callAgent(makeRequest(provider), makeContext({ env: env() })));
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toContain('out of quota');
  });

  it('500 is recoverable', async () => {
    fake.fault({ status: 500, message: 'upstream exploded' });
    const error = await callErrorOf(callAgent(makeRequest(provider), makeContext({ env: env() })));
    expect(error).toMatchObject({ errorClass: 'recoverable', status: 500 });
    expect(error.message).toContain('upstream exploded');
  });

  it('a malformed body is recoverable and shows what came back', async () => {
    fake.fault({ malformed: true });
    const error = await callErrorOf(callAgent(makeRequest(provider), makeContext({ env: env() })));
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('malformed');
    expect(error.message).toContain('upstream proxy error');
  });

  it('a malformed stream event is recoverable', async () => {
    fake.fault({ malformed: true });
    vi.spyOn(console, 'error').mockImplementation(() => {}); // the SDK logs the bad event
    const error = await callErrorOf(
      callAgent(makeRequest({ ...provider, stream: true } as ProviderDef), makeContext({ env: env() })),
    );
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('streamed a malformed event');
    vi.restoreAllMocks();
  });

  it('a hanging server is cut off by the timeout, and the connection is closed', async () => {
    fake.fault({ hang: true });
    const started = Date.now();
    const error = await callErrorOf(
      callAgent(makeRequest(provider), makeContext({ env: env(), timeoutMs: 300 })),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('did not answer within 300 ms');
    await vi.waitFor(() => expect(fake.requests[0]?.closedEarly).toBe(true));
  });

  it('an abort stops a hanging call at once, closes the connection, and is marked aborted', async () => {
    fake.fault({ hang: true });
    const controller = new AbortController();
    const started = Date.now();
    const pending = callErrorOf(
      callAgent(makeRequest(provider), makeContext({ env: env(), signal: controller.signal })),
    );
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    controller.abort();
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.aborted).toBe(true);
    await vi.waitFor(() => expect(fake.requests[0]?.closedEarly).toBe(true));
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await callErrorOf(
      callAgent(makeRequest(provider), makeContext({ env: env(), signal: controller.signal })),
    );
    expect(error.aborted).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it('a missing key fails before calling, naming the env var', async () => {
    const error = await callErrorOf(callAgent(makeRequest(provider), makeContext({ env: {} })));
    expect(error.errorClass).toBe('fatal');
    expect(error.message).toBe(
      'OPENAI_API_KEY is not set: export it, or set api-key-env on provider "openai"',
    );
    const custom = await callErrorOf(
      callAgent(
        makeRequest({ name: 'router', type: 'openai', baseUrl: fake.url, apiKeyEnv: 'ROUTER_KEY' }),
        makeContext(),
      ),
    );
    expect(custom.message).toContain('ROUTER_KEY is not set');
    expect(fake.requests).toHaveLength(0);
  });

  it('401 says the key was rejected and where it came from', async () => {
    const error = await callErrorOf(
      callAgent(
        makeRequest(provider),
        makeContext({ env: { OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: fake.url } }),
      ),
    );
    expect(error).toMatchObject({ errorClass: 'fatal', status: 401 });
    expect(error.message).toContain('rejected the API key from OPENAI_API_KEY');
  });

  it('401 from a custom endpoint called without a key says which env var to set', async () => {
    const error = await callErrorOf(
      callAgent(
        makeRequest({ name: 'gateway', type: 'openai', baseUrl: fake.url }),
        makeContext({ env: {} }),
      ),
    );
    expect(error).toMatchObject({ errorClass: 'fatal', status: 401 });
    expect(error.message).toContain('requires an API key (401)');
    expect(error.message).toContain(
      'OPENAI_API_KEY is not set: export it, or set api-key-env on provider "gateway"',
    );
  });

  it('404 for an unknown model names the model and the provider', async () => {
    await fake.close();
    fake = await startFakeOpenAI({ apiKey: KEY, models: ['gpt-4.1'] });
    const error = await callErrorOf(
      callAgent(makeRequest(provider, { model: 'gpt-9-turbo' }), makeContext({ env: env() })),
    );
    expect(error).toMatchObject({ errorClass: 'fatal', status: 404 });
    expect(error.message).toContain('model "gpt-9-turbo"');
    expect(error.message).toContain('provider "openai"');
  });

  it('an error status with a body that is not JSON (a proxy page) shows the start of it', async () => {
    const proxy = await plainServer(
      502,
      'text/html',
      `<html><body>Bad gateway${' padding'.repeat(100)}</body></html>`,
    );
    try {
      const error = await callErrorOf(
        callAgent(
          makeRequest({ name: 'behind-proxy', type: 'openai', baseUrl: proxy.url }),
          makeContext({ env: {} }),
        ),
      );
      expect(error).toMatchObject({ errorClass: 'recoverable', status: 502 });
      expect(error.message).toContain('failed (502): <html><body>Bad gateway padding');
      expect(error.message.length).toBeLessThan(400);
    } finally {
      await proxy.close();
    }
  });

  it('an error in the shape compatible servers use (vLLM: message at the top level) is read', async () => {
    const vllm = await plainServer(
      404,
      'application/json',
      JSON.stringify({
        object: 'error',
        message: 'The model `nope` does not exist.',
        type: 'NotFoundError',
        code: 404,
      }),
    );
    try {
      const error = await callErrorOf(
        callAgent(
          makeRequest({ name: 'vllm', type: 'openai', baseUrl: vllm.url }, { model: 'nope' }),
          makeContext({ env: {} }),
        ),
      );
      expect(error).toMatchObject({ errorClass: 'fatal', status: 404 });
      expect(error.message).toContain('does not know model "nope" (404): The model `nope` does not exist');
    } finally {
      await vllm.close();
    }
  });

  it('a refused connection is recoverable', async () => {
    const url = fake.url;
    await fake.close();
    const error = await callErrorOf(
      callAgent(makeRequest(provider), makeContext({ env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: url } })),
    );
    expect(error.errorClass).toBe('recoverable');
    expect(error.message).toContain('could not reach provider "openai"');
    fake = await startFakeOpenAI();
  });
});

/** A server answering every request with one status and body, as a proxy or a compatible server might. */
async function plainServer(
  status: number,
  contentType: string,
  body: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': contentType }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
