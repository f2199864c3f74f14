// Journal events for tests.
import type { CallEvent, EndEvent, RunEvent } from '../../src/journal/types.js';

export const AT = '2026-11-21T06:15:03.000Z';

export function runEvent(overrides: Partial<RunEvent> = {}): RunEvent {
  return {
    v: 1,
    t: 'run',
    workflow: 'pr-review',
    script: 'sha256:' + 'a'.repeat(64),
    runId: 'run-1',
    attempt: 1,
    inputs: { pr: 42 },
    at: AT,
    ...overrides,
  };
}

export function callEvent(key: string, overrides: Partial<CallEvent> = {}): CallEvent {
  return {
    t: 'call',
    key,
    step: 'review',
    kind: 'agent',
    model: 'gpt-test',
    result: { text: `result of ${key}` },
    usage: { inputTokens: 812, outputTokens: 95, cachedInputTokens: 0, costUsd: 0.0004 },
    ms: 2310,
    at: AT,
    ...overrides,
  };
}

export function endEvent(status: EndEvent['status'] = 'succeeded', at = AT): EndEvent {
  return { t: 'end', status, at };
}

export function lines(...events: unknown[]): string {
  return events.map((event) => (typeof event === 'string' ? event : JSON.stringify(event)) + '\n').join('');
}
