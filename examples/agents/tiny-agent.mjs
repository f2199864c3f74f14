#!/usr/bin/env node
// A stand-in "agent" for trying reprise without an API key: reads the prompt on stdin, thinks for a
// moment, and answers deterministically (as JSON with token usage, like real CLI agents print). Point a workflow's provider at a real CLI agent (claude,
// codex, gemini) or an API provider to get real answers.
//
// TINY_AGENT_FAIL_ON=<text>: fail when the prompt contains <text> (to try a failed run and its resume).
import { setTimeout as sleep } from 'node:timers/promises';

let prompt = '';
for await (const chunk of process.stdin) prompt += chunk;
prompt = prompt.trim();

await sleep(Number(process.env.TINY_AGENT_DELAY_MS ?? 400));

const failOn = process.env.TINY_AGENT_FAIL_ON;
if (failOn && prompt.includes(failOn)) {
  console.error(`tiny-agent: refusing a prompt that mentions "${failOn}" (TINY_AGENT_FAIL_ON)`);
  process.exit(1);
}

const words = prompt.split(/\s+/).filter(Boolean);
const subject = words
  .slice(-6)
  .join(' ')
  .replace(/[.?!]+$/, '');
const result = `In short: ${subject} (${words.length} words considered).`;
// The same shape `claude -p --output-format json` prints: the answer, token usage and cost.
console.log(
  JSON.stringify({
    result,
    usage: { input_tokens: words.length, output_tokens: result.split(/\s+/).length },
    total_cost_usd: 0,
  }),
);
