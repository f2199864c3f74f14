#!/usr/bin/env node
// Mimics `gemini --output-format json`: prompt on stdin, one JSON object with `response` and `stats`.
import { answerFor, argAfter, readStdin, record } from './mimic-lib.mjs';

const stdin = readStdin();
record(stdin);
const model = argAfter('-m') ?? 'gemini-2.5-pro';
const output = {
  response: answerFor(stdin),
  stats: {
    models: {
      [model]: {
        api: { totalRequests: 1, totalErrors: 0, totalLatencyMs: 5053 },
        tokens: { prompt: 24939, candidates: 20, total: 25113, cached: 21263, thoughts: 154, tool: 0 },
      },
    },
    tools: { totalCalls: 0, totalSuccess: 0, totalFail: 0, totalDurationMs: 0 },
    files: { totalLinesAdded: 0, totalLinesRemoved: 0 },
  },
};
process.stdout.write(JSON.stringify(output, null, 2) + '\n');
