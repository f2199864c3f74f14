import { describe, expect, it } from 'vitest';
import { resolveAgentTarget } from '../../src/agents/index.js';
import type { ProviderDef } from '../../src/workflow/types.js';
import { CallError } from '../../src/agents/types.js';

const providers: Record<string, ProviderDef> = {
  ollama: { name: 'ollama', type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3:8b' },
  router: { name: 'router', type: 'openai', baseUrl: 'https://openrouter.ai/api/v1' },
  claude: { name: 'claude', type: 'command', preset: 'claude' },
};

function fatal(run: () => unknown): CallError {
  try {
    run();
  } catch (error) {
    if (error instanceof CallError && error.errorClass === 'fatal') return error;
    throw error;
  }
  throw new Error('expected a fatal CallError');
}

describe('resolveAgentTarget', () => {
  it('takes the step model over the phase model over defaults.model over the provider model', () => {
    const base = {
      defaults: { provider: 'router', model: 'd-model' },
      providers: { ...providers, router: { ...providers['router']!, model: 'p-model' } },
    };
    const phase = { name: 'review', model: 'phase-model' };
    expect(resolveAgentTarget({ ...base, stepModel: 'step-model', phase }).model).toBe('step-model');
    expect(resolveAgentTarget({ ...base, phase }).model).toBe('phase-model');
    expect(resolveAgentTarget({ ...base }).model).toBe('d-model');
    expect(resolveAgentTarget({ ...base, defaults: { provider: 'router' } }).model).toBe('p-model');
  });

  it('takes the step provider over the phase provider over defaults.provider', () => {
    const defaults = { provider: 'anthropic', model: 'm' };
    expect(
      resolveAgentTarget({
        stepProvider: 'router',
        phase: { name: 'p', provider: 'openai' },
        defaults,
        providers,
      }).provider.name,
    ).toBe('router');
    expect(
      resolveAgentTarget({ phase: { name: 'p', provider: 'openai' }, defaults, providers }).provider.name,
    ).toBe('openai');
    expect(resolveAgentTarget({ defaults, providers }).provider).toEqual({
      name: 'anthropic',
      type: 'anthropic',
    });
  });

  it('reads provider:model shorthand, and keeps colons of models whose prefix is not a provider', () => {
    expect(
      resolveAgentTarget({
        stepModel: 'anthropic:claude-sonnet-4-5',
        defaults: { provider: 'openai' },
        providers,
      }),
    ).toEqual({
      provider: { name: 'anthropic', type: 'anthropic' },
      model: 'claude-sonnet-4-5',
    });
    expect(resolveAgentTarget({ stepModel: 'ollama:llama3:70b', defaults: {}, providers })).toMatchObject({
      provider: { name: 'ollama' },
      model: 'llama3:70b',
    });
    expect(
      resolveAgentTarget({ stepModel: 'llama3:8b', defaults: { provider: 'router' }, providers }),
    ).toMatchObject({
      provider: { name: 'router' },
      model: 'llama3:8b',
    });
    expect(resolveAgentTarget({ defaults: { model: 'openai:gpt-4.1' }, providers }).provider.name).toBe(
      'openai',
    );
  });

  it('a provider chosen on the step brings its own model rather than inheriting a broader one', () => {
    expect(
      resolveAgentTarget({
        stepProvider: 'ollama',
        defaults: { provider: 'anthropic', model: 'claude-haiku-4-5' },
        providers,
      }).model,
    ).toBe('llama3:8b');
  });

  it('infers the built-in provider from well-known model names', () => {
    expect(resolveAgentTarget({ defaults: { model: 'claude-haiku-4-5' }, providers: {} }).provider.name).toBe(
      'anthropic',
    );
    expect(resolveAgentTarget({ stepModel: 'gpt-4.1-mini', defaults: {}, providers: {} }).provider.name).toBe(
      'openai',
    );
  });

  it('lets command providers run without a model', () => {
    expect(resolveAgentTarget({ stepProvider: 'claude', defaults: {}, providers })).toEqual({
      provider: providers['claude'],
      model: '',
    });
  });

  it('fails with what to set', () => {
    expect(
      fatal(() => resolveAgentTarget({ stepProvider: 'nope', defaults: { model: 'x' }, providers })).message,
    ).toContain('unknown provider "nope": declare it under providers: (declared: ollama, router, claude)');
    expect(fatal(() => resolveAgentTarget({ stepProvider: 'openai', defaults: {}, providers })).message).toBe(
      'no model for provider "openai": set model on the step, its phase, defaults.model, or model on provider "openai"',
    );
    expect(
      fatal(() => resolveAgentTarget({ stepModel: 'mystery-7b', defaults: {}, providers: {} })).message,
    ).toContain('no provider');
    expect(
      fatal(() =>
        resolveAgentTarget({
          stepProvider: 'openai',
          stepModel: 'anthropic:claude-x',
          defaults: {},
          providers,
        }),
      ).message,
    ).toContain('keep one');
  });
});
