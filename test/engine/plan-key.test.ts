// An agent call's key request is written member by member for speed; its text must be exactly the canonical
// JSON of the object it stands for, or every key of every existing journal would change (a resume would
// replay nothing).
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentRequest } from '../../src/agents/types.js';
import { baseKey } from '../../src/engine/keys.js';
import { agentKeyRequest } from '../../src/engine/plan.js';
import { load, run } from './harness.js';
import type { ProviderDef } from '../../src/workflow/types.js';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

const provider: fc.Arbitrary<ProviderDef> = fc.record(
  {
    name: fc.string(),
    type: fc.constantFrom('openai', 'anthropic', 'command'),
    baseUrl: fc.webUrl(),
    apiKeyEnv: fc.string(),
    headers: fc.dictionary(fc.string(), fc.string()),
    command: fc.string(),
    args: fc.array(fc.string()),
    preset: fc.constantFrom('claude', 'codex', 'gemini', 'copilot'),
    output: fc.constantFrom('text', 'json'),
    allowTools: fc.oneof(fc.constantFrom('read-only', 'all'), fc.array(fc.string())),
  },
  { requiredKeys: ['name', 'type'] },
) as fc.Arbitrary<ProviderDef>;

const request: fc.Arbitrary<AgentRequest> = fc.record(
  {
    provider,
    model: fc.string(),
    prompt: fc.string({ unit: 'grapheme' }),
    system: fc.string({ unit: 'grapheme' }),
    schema: fc.dictionary(fc.string(), fc.jsonValue()),
    temperature: fc.double({ noNaN: true, noDefaultInfinity: true }),
    maxTokens: fc.integer(),
    fallbacks: fc.array(fc.record({ provider, model: fc.string() }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['provider', 'model', 'prompt'] },
);

/** The key request as the engine wrote it before it was written by hand (and as older journals hold it). */
function asObject(r: AgentRequest): unknown {
  const identity = (p: ProviderDef) => ({
    name: p.name,
    type: p.type,
    baseUrl: p.baseUrl,
    command: p.command,
    args: p.args,
    preset: p.preset,
    output: p.output,
    allowTools: p.allowTools,
  });
  return {
    provider: identity(r.provider),
    model: r.model,
    fallbacks: r.fallbacks?.map((f) => ({ provider: identity(f.provider), model: f.model })),
    prompt: r.prompt,
    system: r.system,
    schema: r.schema,
    temperature: r.temperature,
    maxTokens: r.maxTokens,
  };
}

describe('baseKey', () => {
  it('hashes the canonical JSON of its material', () => {
    const material = fc.record(
      {
        step: fc.string({ unit: 'grapheme' }),
        kind: fc.constantFrom('agent', 'run', 'tool', 'ask'),
        request: fc.jsonValue(),
      },
      { requiredKeys: ['step', 'kind'] },
    );
    fc.assert(
      fc.property(material, (m) => {
        const sha = createHash('sha256').update(canonicalize(m)!).digest('hex');
        expect(baseKey({ ...m, request: m.request }, (text) => text)).toBe(`sha256:${sha}`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('agentKeyRequest', () => {
  it('is the canonical JSON of the request object, for any request', () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(agentKeyRequest(r).json).toBe(canonicalize(asObject(r)));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the keys of existing journals', () => {
    const openai: ProviderDef = { name: 'openai', type: 'openai' };
    const r: AgentRequest = { provider: openai, model: 'gpt-4o-mini', prompt: 'review item 7' };
    const material = { step: 'review', kind: 'agent' as const };
    const same = (text: string) => text;
    expect(baseKey({ ...material, request: agentKeyRequest(r) }, same)).toBe(
      baseKey({ ...material, request: asObject(r) }, same),
    );
    // Pinned: canonicalize + sha256 of this material, computed outside reprise (a change here breaks resumes).
    expect(baseKey({ ...material, request: agentKeyRequest(r) }, same)).toBe(
      'sha256:521e94d8e86eba3c16b68a7a4b0709e7fa51435639d2a724713aa28499f8448b',
    );
  });
});

describe('the targets of a fan-out whose items choose the model', () => {
  it('tell a model named like a list apart from the list', async () => {
    // Targets are resolved once per step and model: a name that reads as the memo of a list must not
    // take the list's targets (and its fallback), nor the other way round.
    const workflow = load(`
name: models
defaults: { provider: openai, retries: 0 }
inputs:
  models: { type: array }
steps:
  - id: ask
    for-each: \${{ inputs.models }}
    agent: { model: "\${{ item }}", prompt: "hi \${{ index }}" }
`);
    const models = [['gpt-a', 'gpt-b'], 's[null,["gpt-a","gpt-b"]]', '[null,["gpt-a","gpt-b"]]'];
    const asked: { model: string; fallbacks: number }[] = [];
    const result = await run(workflow, {
      inputs: { models },
      agent: (request) => {
        asked.push({ model: request.model, fallbacks: request.fallbacks?.length ?? 0 });
        return {
          text: 'ok',
          usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, costUsd: 0 },
          model: request.model,
        };
      },
    });
    expect(result.status, result.error).toBe('succeeded');
    expect(asked.sort((a, b) => a.model.localeCompare(b.model))).toEqual([
      { model: '[null,["gpt-a","gpt-b"]]', fallbacks: 0 },
      { model: 'gpt-a', fallbacks: 1 },
      { model: 's[null,["gpt-a","gpt-b"]]', fallbacks: 0 },
    ]);
  });
});
