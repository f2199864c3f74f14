#!/usr/bin/env node
// Mimics `claude -p --output-format json`: prompt on stdin, one JSON result object on stdout.
import { answerFor, argAfter, readStdin, record } from './mimic-lib.mjs';

const stdin = readStdin();
record(stdin);
const model = argAfter('--model') ?? 'claude-sonnet-4-5-20250929';
if (process.env.MIMIC_MODE === 'error') {
  process.stdout.write(
    JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: true,
      result: 'API Error: 429 rate_limit_error: rate limit exceeded',
      total_cost_usd: 0,
    }) + '\n',
  );
  process.exit(1);
}
const result = {
  type: 'result',
  subtype: 'success',
  is_error: false,
  duration_ms: 1234,
  duration_api_ms: 1100,
  num_turns: 1,
  result: answerFor(stdin),
  session_id: '0b5c2b2e-0000-4000-8000-000000000000',
  total_cost_usd: 0.0123,
  usage: {
    input_tokens: 10,
    cache_creation_input_tokens: 5,
    cache_read_input_tokens: 100,
    output_tokens: 20,
  },
  modelUsage: {
    [model]: {
      inputTokens: 10,
      outputTokens: 20,
      cacheReadInputTokens: 100,
      cacheCreationInputTokens: 5,
      costUSD: 0.0123,
    },
  },
};
process.stdout.write(JSON.stringify(result) + '\n');
