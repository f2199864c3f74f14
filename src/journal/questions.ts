// The questions a run is waiting on: those of its last attempt's `waiting` end event that no answer
// (an `answer` event or an answered ask call) has met since.
import type { JournalRead } from './reader.js';
import type { Question } from './types.js';

export function pendingQuestions(read: JournalRead): Question[] {
  const answered = new Set<string>();
  for (let index = read.events.length - 1; index >= 0; index--) {
    const event = read.events[index]!;
    if (event.t === 'answer' || (event.t === 'call' && event.kind === 'ask')) answered.add(event.key);
    if (event.t === 'run') return [];
    if (event.t === 'end') {
      if (event.status !== 'waiting') return [];
      return (event.questions ?? []).filter((question) => !answered.has(question.key));
    }
  }
  return [];
}
