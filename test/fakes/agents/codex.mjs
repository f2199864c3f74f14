#!/usr/bin/env node
// Mimics `codex exec --json`: prompt on stdin, a JSONL event stream on stdout.
import { answerFor, readStdin, record } from './mimic-lib.mjs';

const stdin = readStdin();
record(stdin);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
emit({ type: 'thread.started', thread_id: '0199a213-81c0-7800-8aa1-bbab2a035a53' });
emit({ type: 'turn.started' });
if (process.env.MIMIC_MODE === 'error') {
  emit({ type: 'error', message: 'stream error: exceeded retry limit, last status: 429 Too Many Requests' });
  emit({
    type: 'turn.failed',
    error: { message: 'exceeded retry limit, last status: 429 Too Many Requests' },
  });
  process.exit(1);
}
emit({ type: 'item.completed', item: { id: 'item_0', type: 'reasoning', text: '**Looking at the task**' } });
emit({
  type: 'item.completed',
  item: {
    id: 'item_1',
    type: 'command_execution',
    command: 'bash -lc ls',
    aggregated_output: 'README.md\n',
    exit_code: 0,
    status: 'completed',
  },
});
emit({ type: 'item.completed', item: { id: 'item_2', type: 'agent_message', text: answerFor(stdin) } });
emit({
  type: 'turn.completed',
  usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 },
});
