// What steps expose as `steps.<id>.outputs`, derived from the journaled result of their calls.
import type { AgentResult, ToolOutcome, TurnResult } from '../agents/types.js';
import type { ShellResult } from '../agents/shell.js';
import type { AskResult } from './ask.js';
import type { CallKind } from '../journal/types.js';

export function agentOutputs(result: AgentResult, hasSchema: boolean): Record<string, unknown> {
  const outputs: Record<string, unknown> = { text: result.text, usage: result.usage };
  if (hasSchema) outputs.json = result.json ?? null;
  return outputs;
}

/** `answer`, and `answered-by` / `answered-at` when the answer came with them. */
export function askOutputs(result: AskResult): Record<string, unknown> {
  return { ...result };
}

export function shellOutputs(result: ShellResult): Record<string, unknown> {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    'exit-code': result.exitCode,
    lines: result.stdout.split(/\r?\n/).filter((line) => line.trim() !== ''),
    json: parseJson(result.stdout),
    ...(result.cut && { cut: result.cut }),
  };
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return null;
  }
}

/** A journaled result is untrusted input: replay it only if it has the shape the step needs. */
export function isAgentResult(value: unknown): value is AgentResult {
  if (!isRecord(value) || typeof value.text !== 'string' || typeof value.model !== 'string') return false;
  const usage = value.usage;
  return (
    isRecord(usage) &&
    typeof usage.inputTokens === 'number' &&
    typeof usage.outputTokens === 'number' &&
    (usage.costUsd === null || typeof usage.costUsd === 'number')
  );
}

export function isShellResult(value: unknown): value is ShellResult {
  return (
    isRecord(value) &&
    typeof value.stdout === 'string' &&
    typeof value.stderr === 'string' &&
    typeof value.exitCode === 'number'
  );
}

/** What a turn of a tool loop journals as its result (its usage and model are on the call line). */
export type TurnAnswer = Pick<TurnResult, 'text' | 'toolCalls'>;

/** A journaled result is untrusted input: a turn replays only with the shape a live one has. */
export function isTurnAnswer(value: unknown): value is TurnAnswer {
  if (!isRecord(value) || typeof value['text'] !== 'string') return false;
  const calls = value['toolCalls'];
  return (
    Array.isArray(calls) &&
    calls.every(
      (c: unknown) =>
        isRecord(c) &&
        typeof c['id'] === 'string' &&
        typeof c['name'] === 'string' &&
        typeof c['arguments'] === 'string',
    )
  );
}

export function isToolOutcome(value: unknown): value is ToolOutcome {
  return isRecord(value) && typeof value['content'] === 'string' && typeof value['isError'] === 'boolean';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a journaled line could replay for some call of its kind: the part of the replay check that needs
 * no plan (compaction keeps, per key, the first line that passes it, as replay would pick it).
 */
export function replayableShape(kind: CallKind, result: unknown): boolean {
  switch (kind) {
    case 'agent':
      return isAgentResult(result) || isTurnAnswer(result);
    case 'tool':
      return isToolOutcome(result);
    case 'run':
      return isShellResult(result) && result.exitCode === 0;
    case 'ask':
      return true;
  }
}
