// Edit reuse: how many of 100 journaled calls a resumed run still replays after an edit, for reprise's
// content-addressed journal beside a position-based one (call i replays journal entry i while they agree;
// after the first disagreement the cursor is lost and every later call runs live, as in the scripted
// orchestrators reprise replaces). `npm run bench` prints the table before the timings.
import { tmpdir } from 'node:os';
import { bench, describe } from 'vitest';
import type { AgentRequest, AgentResult } from '../src/agents/types.js';
import { runWorkflow } from '../src/engine/run.js';
import type { CallEvent, JournalEvent } from '../src/journal/types.js';
import { loadWorkflowText } from '../src/workflow/loader.js';

function hundredSteps(edit: { insertAt?: number; promptOf?: number } = {}): string {
  const steps: string[] = [];
  for (let i = 0; i < 100; i++) {
    if (edit.insertAt === i)
      steps.push(`  - id: inserted\n    agent: { prompt: "new", model: m, provider: openai }`);
    const prompt =
      edit.promptOf === i
        ? `step ${i}, reworded`
        : i % 10 === 1
          ? `step ${i} after \${{ steps.s${i - 1}.outputs.text }}`
          : `step ${i}`;
    steps.push(`  - id: s${i}\n    agent: { prompt: "${prompt}", model: m, provider: openai }`);
  }
  return `name: reuse\nsteps:\n${steps.join('\n')}\n`;
}

const agent = async (request: AgentRequest): Promise<AgentResult> => ({
  text: `answer(${request.prompt})`,
  usage: { inputTokens: 10, outputTokens: 10, cachedInputTokens: 0, costUsd: 0.0001 },
  model: request.model,
});

async function run(text: string, replay: Map<string, CallEvent>) {
  const { workflow } = loadWorkflowText(text, 'reuse.yml');
  if (!workflow) throw new Error('invalid');
  const events: JournalEvent[] = [];
  const requests: string[] = [];
  const result = await runWorkflow({
    workflow,
    inputs: {},
    runId: 'r',
    attempt: 1,
    journal: { append: (event) => events.push(event) },
    replay,
    redact: (t) => t,
    workspace: tmpdir(),
    env: {},
    executors: {
      agent: (request) => {
        requests.push(request.prompt);
        return agent(request);
      },
    },
  });
  const calls = new Map<string, CallEvent>();
  for (const event of events) if (event.t === 'call') calls.set(event.key, event);
  return {
    result,
    calls,
    order: events.filter((e): e is CallEvent => e.t === 'call').map((e) => `${e.step}`),
  };
}

/** Position-based replay: entry i serves call i while step and request agree; then everything is live. */
function positionBased(before: string[], after: string[]): number {
  let replayed = 0;
  for (let i = 0; i < after.length; i++) {
    if (before[i] !== after[i]) break;
    replayed += 1;
  }
  return replayed;
}

/** The request each call of a 100-step file makes, in order (what a position journal would record). */
function requestsOf(text: string): string[] {
  return [...text.matchAll(/- id: (\S+)\n\s+agent: \{ prompt: "([^"]*)"/g)].map(
    ([, id, prompt]) => `${id}:${prompt}`,
  );
}

const original = hundredSteps();
const first = await run(original, new Map());
const rows: string[][] = [];
for (const [name, edit] of [
  ['insert a step at position 50', { insertAt: 50 }],
  ['edit the prompt of step 40', { promptOf: 40 }],
  ['insert a step at position 0', { insertAt: 0 }],
] as const) {
  const text = hundredSteps(edit);
  const ours = await run(text, first.calls);
  rows.push([
    name,
    `${ours.result.calls.replayed}/100`,
    `${positionBased(requestsOf(original), requestsOf(text))}/100`,
  ]);
}
console.log(
  '\nedit reuse (journaled calls replayed after the edit)\n' +
    ['edit | reprise (by key) | position-based', ...rows.map((row) => row.join(' | '))].join('\n') +
    '\n',
);

describe('edit reuse', () => {
  bench('resume after inserting a step at position 50 (100 journaled calls)', async () => {
    await run(hundredSteps({ insertAt: 50 }), first.calls);
  });
});
