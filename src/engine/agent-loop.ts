// A tool-using or threaded agent step: a loop of calls. Each model turn is a call of kind `agent`, keyed by
// the whole request (the message history so far and the tool definitions included); each tool invocation
// is a call of kind `tool`, keyed by the tool's identity, its arguments and the turn that asked for it.
// Both go through the engine's one replay-or-run path, so a resume replays finished turns and tool calls
// by key and continues live inside the loop, and a finished side effect never runs twice.
import { addUsage } from '../agents/pricing.js';
import type { OutputLimit } from '../agents/process.js';
import { checkAnswer, correctionPrompt, excerpt } from '../agents/structured.js';
import { DEFAULT_TOOL_RESULT_LIMIT, type ToolBox } from '../agents/tools/index.js';
import {
  CallError,
  type CallContext,
  type ChatMessage,
  type ToolOutcome,
  type TurnRequest,
  type TurnResult,
  type Usage,
} from '../agents/types.js';
import type { CallKey, KeyMaterial } from './keys.js';
import { agentOutputs, isToolOutcome, isTurnAnswer, type TurnAnswer } from './outputs.js';
import { providerIdentity, type PerformedCall, type PlannedCall } from './plan.js';

export interface LoopHost {
  /** Replays the call's journaled result, or runs it live and journals it. */
  perform(call: PlannedCall): Promise<PerformedCall>;
  /** Key material to a key of this run (redaction, occurrence numbers). */
  key(material: KeyMaterial): CallKey;
  turn(request: TurnRequest, context: CallContext): Promise<TurnResult>;
  /** The context of a live model turn. */
  callContext(call: PlannedCall, signal: AbortSignal): CallContext;
  toolbox: ToolBox;
  /** Conversations by thread name: the messages at the end of the last step on each. */
  threads: Map<string, ChatMessage[]>;
  /** Thread names are per workflow file: a called workflow's `review` thread is not its caller's. */
  threadPrefix: string;
  env: Record<string, string | undefined>;
  workspace: string;
  redact: (text: string) => string;
  /** A tool call's output cap and spill files, by its key. */
  output(key: CallKey): OutputLimit;
}

/** Runs the loop of one agent step (or for-each item) to its final answer; resolves with the step outputs. */
export async function runAgentLoop(call: PlannedCall, host: LoopHost): Promise<Record<string, unknown>> {
  const settings = call.loop!;
  const { prompt, ...base } = call.agent!;
  const toolset = host.toolbox.select(settings.tools);
  const limit = settings.toolResultLimit ?? DEFAULT_TOOL_RESULT_LIMIT;
  const thread = settings.thread !== undefined ? host.threadPrefix + settings.thread : undefined;
  const earlier = thread !== undefined ? (host.threads.get(thread) ?? []) : [];
  const messages: ChatMessage[] = [...earlier, { role: 'user', content: prompt }];
  const toolDefinitions = toolset.keyDefinitions();
  let usage: Usage | undefined;
  let corrected = false;
  let toolCalls = 0;

  // A turn's key covers the whole history through a chain: the first turn's holds the messages so far (a
  // thread's included), each later turn's the previous turn's key and the messages added since. Same
  // coverage as hashing the whole history every turn, at a cost linear in the loop's length.
  let previous: { key: CallKey; length: number } | undefined;
  for (let turn = 1; ; turn++) {
    // Messages are only ever appended, never changed: a copy of the list is a snapshot.
    const history = messages.slice();
    const turnKey = host.key({
      step: call.path,
      kind: 'agent',
      request: {
        item: call.item,
        provider: providerIdentity(base.provider),
        model: base.model,
        // The declared list, as a single call's key has it: a replay does not depend on who answered.
        fallbacks: base.fallbacks?.map((fallback) => ({
          provider: providerIdentity(fallback.provider),
          model: fallback.model,
        })),
        system: base.system,
        schema: base.schema,
        temperature: base.temperature,
        maxTokens: base.maxTokens,
        tools: toolDefinitions,
        ...(previous
          ? { after: previous.key, messages: history.slice(previous.length) }
          : { messages: history }),
      },
    });
    previous = { key: turnKey, length: history.length };
    const performed = await host.perform({
      ...call,
      key: turnKey,
      kind: 'agent',
      loop: undefined,
      accepts: isTurnAnswer,
      // The engine passes the request of the model to try: the primary, or a fallback after it failed.
      execute: async (signal, target) => {
        const tools = await toolset.specs();
        const { prompt: _prompt, ...request } = target ?? call.agent!;
        const turnResult = await host.turn(
          { ...request, messages: history, tools },
          host.callContext(call, signal),
        );
        // Usage and model go on the journal line beside the result, not twice.
        const { usage: spent, model: answeredBy, ...answer } = turnResult;
        return { result: answer, usage: spent, model: answeredBy };
      },
    });
    const answer = performed.result as TurnAnswer;
    const model = performed.model ?? base.model;
    if (performed.usage) usage = usage ? addUsage(usage, performed.usage) : performed.usage;
    messages.push({
      role: 'assistant',
      content: answer.text,
      ...(answer.toolCalls.length > 0 ? { toolCalls: answer.toolCalls } : {}),
    });

    if (answer.toolCalls.length === 0) {
      let json: unknown;
      if (base.schema) {
        const check = checkAnswer(answer.text, base.schema, `step "${call.path}"`);
        if (!check.ok) {
          if (corrected || turn >= settings.maxTurns) {
            throw new CallError(
              `the final answer does not conform to the step's schema${corrected ? ', even after one correction' : ''}:\n` +
                check.errors.map((line) => `  - ${line}`).join('\n') +
                `\nanswer: ${excerpt(answer.text)}`,
              'fatal',
            );
          }
          corrected = true;
          messages.push({ role: 'user', content: correctionPrompt(check.errors) });
          continue;
        }
        json = check.value;
      }
      if (thread !== undefined) host.threads.set(thread, messages);
      return {
        ...agentOutputs(
          { text: answer.text, json, usage: usage ?? NO_USAGE, model },
          base.schema !== undefined,
        ),
        turns: turn,
        'tool-calls': toolCalls,
      };
    }

    if (turn >= settings.maxTurns) {
      throw new CallError(
        `reached max-turns (${settings.maxTurns}) with the model still calling tools ` +
          `(${answer.toolCalls.map((c) => c.name).join(', ')}): raise agent.max-turns or narrow the task`,
        'fatal',
      );
    }

    // Planned in the order the model listed them (keys never depend on completion order), run at once.
    const planned = answer.toolCalls.map((toolCall, index): PlannedCall => {
      const key = host.key({
        step: call.path,
        kind: 'tool',
        request: {
          item: call.item,
          tool: toolset.identityOf(toolCall.name),
          arguments: parsedOrText(toolCall.arguments),
          turn: turnKey,
          index,
          limit,
        },
      });
      return {
        ...call,
        key,
        kind: 'tool',
        loop: undefined,
        agent: undefined,
        timeoutMs: undefined,
        retries: 0,
        accepts: isToolOutcome,
        // The step's `reuse:` wins; else the tool's declaration; else the default rule (not reused).
        reuse: call.reuse ?? (toolset.reusable(toolCall.name) || undefined),
        execute: async (signal) => ({
          result: await toolset.invoke(
            toolCall,
            { signal, env: host.env, workspace: host.workspace, output: host.output(key) },
            { limit, redact: host.redact },
          ),
        }),
      };
    });
    const outcomes = (await Promise.all(planned.map((tool) => host.perform(tool)))).map(
      (performed) => performed.result as ToolOutcome,
    );
    toolCalls += outcomes.length;
    messages.push({
      role: 'tool',
      results: answer.toolCalls.map((toolCall, index) => ({
        id: toolCall.id,
        name: toolCall.name,
        ...outcomes[index]!,
      })),
    });
  }
}

/** Arguments in keys as the value they denote (so key order and spacing do not matter), or as written. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: null };
