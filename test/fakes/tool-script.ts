// Scripted tool loops for the fake provider servers: the answer to a request is chosen by how far its
// conversation has come (how many assistant turns its history holds), so a resumed run that re-sends a
// turn gets the same answer, and the server's log shows exactly which turns reached it.
import type { FakeReply, RecordedRequest, Responder } from './common.js';

type Message = { role?: unknown; content?: unknown; tool_call_id?: unknown };

function messagesOf(request: RecordedRequest): Message[] {
  const messages = (request.body as { messages?: unknown } | undefined)?.messages;
  return Array.isArray(messages) ? (messages as Message[]) : [];
}

/** How many model turns the request's history already holds (0: the first turn of a step). */
export function turnOf(request: RecordedRequest): number {
  return messagesOf(request).filter((message) => message.role === 'assistant').length;
}

/** The first user message: tells the conversations of different steps and items apart. */
export function firstPrompt(request: RecordedRequest): string {
  const first = messagesOf(request).find((message) => message.role === 'user');
  const content = first?.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content)
    ? content.map((block) => String((block as { text?: unknown }).text ?? '')).join('')
    : '';
}

/** The tool results the request carries for the previous turn, in either provider's format. */
export function toolResults(request: RecordedRequest): Array<{ content: string; isError: boolean }> {
  const messages = messagesOf(request);
  const last = messages[messages.length - 1];
  const results: Array<{ content: string; isError: boolean }> = [];
  // OpenAI: one `tool` message per result, after the assistant turn.
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    const content = String(messages[i]?.content ?? '');
    results.unshift({ content: content.replace(/^Error: /, ''), isError: content.startsWith('Error: ') });
  }
  // Anthropic: `tool_result` blocks in the last user message.
  if (last?.role === 'user' && Array.isArray(last.content)) {
    for (const block of last.content as Array<Record<string, unknown>>) {
      if (block['type'] === 'tool_result') {
        results.push({ content: String(block['content'] ?? ''), isError: block['is_error'] === true });
      }
    }
  }
  return results;
}

/** A responder playing `script(turn, request)`; undefined falls back to the server's default answer. */
export function toolScript(
  script: (turn: number, request: RecordedRequest) => FakeReply | undefined,
): Responder {
  return (request) => script(turnOf(request), request);
}
