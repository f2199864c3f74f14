import type { ProviderDef } from '../../src/workflow/types.js';
import { CallError, type AgentRequest, type CallContext } from '../../src/agents/types.js';

export function makeContext(overrides: Partial<CallContext> = {}): CallContext {
  return { signal: new AbortController().signal, env: {}, cwd: process.cwd(), ...overrides };
}

export function makeRequest(provider: ProviderDef, overrides: Partial<AgentRequest> = {}): AgentRequest {
  return { provider, model: 'gpt-4.1-mini', prompt: 'say hi', ...overrides };
}

/** The CallError a promise rejects with (fails the test if it resolves or rejects with something else). */
export async function callErrorOf(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CallError) return error;
    throw new Error(`expected a CallError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const SEVERITY_SCHEMA = {
  type: 'object',
  required: ['severity', 'summary'],
  properties: {
    severity: { enum: ['none', 'minor', 'major'] },
    summary: { type: 'string' },
    score: { type: 'number' },
    blocking: { type: 'boolean' },
  },
  additionalProperties: false,
};
