// kill -9 in the middle of tool loops, then resume, ten times over: the fake server's log shows no finished
// turn sent again, a side-effecting command tool's counter shows every finished tool call ran once, and
// the final answers equal those of an uninterrupted run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/openai-server.js';
import { firstPrompt, toolResults, toolScript } from '../fakes/tool-script.js';
import { cliAsync, exited, journalLines, lastJson, prng, workspace } from './cli-helpers.js';

const TRIALS = 10;
const TURNS = 5;

const WORKFLOW = `
name: loops
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0, timeout: 30s }
tools:
  count:
    description: Record a label (a side effect).
    parameters: { type: object, properties: { label: { type: string } }, required: [label] }
    run: |
      sleep 0.05
      printf '%s\\n' "$TOOL_INPUT_LABEL" >> counter.log
      printf 'counted %s' "$TOOL_INPUT_LABEL"
inputs:
  trial: { type: string, default: base }
steps:
  - id: work
    for-each: [x, y]
    concurrency: 2
    agent: { prompt: "work on \${{ item }} (\${{ inputs.trial }})", tools: [count] }
outputs:
  answers: \${{ toJSON(steps.work.outputs.*.text) }}
`;

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: 'test-key' });
  server.respond(
    toolScript((turn, request) => {
      const item = firstPrompt(request).replace(/^work on (\S+) .*$/, '$1');
      if (turn < TURNS - 1) {
        return {
          text: '',
          toolCalls: ['a', 'b'].map((side) => ({
            name: 'count',
            arguments: { label: `${item}-${turn}-${side}` },
          })),
        };
      }
      return {
        text: `${item}: ${toolResults(request)
          .map((r) => r.content)
          .join(', ')} after ${turn} turns`,
      };
    }),
  );
});
afterAll(async () => {
  await server.close();
});

const env = () => ({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' });

function counter(dir: string): string[] {
  const file = join(dir, 'counter.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

function calls(dir: string, runId: string): Record<string, unknown>[] {
  try {
    return journalLines(dir, runId).filter((line) => line.t === 'call');
  } catch {
    return [];
  }
}

describe('kill -9 inside tool loops, then resume', () => {
  it(`holds over ${TRIALS} trials`, async () => {
    const baselineDir = workspace({ 'loops.yml': WORKFLOW });
    const baseline = await exited(cliAsync(baselineDir, ['run', 'loops.yml', '--json'], env()));
    expect(baseline.code, baseline.stderr).toBe(0);
    const expected = lastJson(baseline.stdout);
    const totalTurns = 2 * TURNS;
    const totalTools = 2 * 2 * (TURNS - 1);
    expect(expected).toMatchObject({ status: 'succeeded', calls: { live: totalTurns + totalTools } });
    expect(counter(baselineDir)).toHaveLength(totalTools);

    // Trials run five at a time (each has its own workspace, and its trial name in the prompts).
    const random = prng(8);
    const killPoints = Array.from(
      { length: TRIALS },
      () => 1 + Math.floor(random() * (totalTurns + totalTools - 2)),
    );
    const sentFor = (trial: number) =>
      server.requests.filter((request) => firstPrompt(request).endsWith(`(t${trial})`)).length;
    const trialRun = async (trial: number) => {
      const dir = workspace({ 'loops.yml': WORKFLOW });
      const runId = `t${trial}`;
      const args = ['run', 'loops.yml', '--input', `trial=${runId}`];
      const child = cliAsync(dir, [...args, '--run-id', runId], env());
      const done = exited(child);
      await until(() => calls(dir, runId).length >= killPoints[trial]!);
      child.kill('SIGKILL');
      await done;

      const before = calls(dir, runId);
      const finishedTurns = before.filter((call) => call.kind === 'agent').length;
      const finishedTools = before
        .filter((call) => call.kind === 'tool')
        .map((call) => (call.result as { content: string }).content.replace('counted ', ''));
      const sentBefore = sentFor(trial);

      const resumed = await exited(cliAsync(dir, [...args, '--resume', runId, '--json'], env()));
      const where = `trial ${trial} (killed after ${before.length} journaled calls)`;
      expect(resumed.code, `${where}: ${resumed.stderr}`).toBe(0);
      const result = lastJson(resumed.stdout);

      // No finished turn reaches the server again: it gets exactly the turns that were not journaled.
      expect(sentFor(trial) - sentBefore, where).toBe(totalTurns - finishedTurns);
      expect(result.calls, where).toMatchObject({ replayed: before.length });
      // Every tool call ran; every finished one ran exactly once.
      const ran = counter(dir);
      for (const label of finishedTools) {
        expect(
          ran.filter((l) => l === label),
          `${where}: ${label}`,
        ).toHaveLength(1);
      }
      expect(new Set(ran).size, where).toBe(totalTools);
      // The same answers as the uninterrupted run.
      expect(result.outputs, where).toEqual(expected.outputs);
      return before.length;
    };
    const killedAt: number[] = [];
    for (let batch = 0; batch < TRIALS; batch += 5) {
      const trials = Array.from({ length: Math.min(5, TRIALS - batch) }, (_, i) => batch + i);
      killedAt.push(...(await Promise.all(trials.map(trialRun))));
    }
    // The kills landed at different points of the loops, not all at the start or the end.
    expect(new Set(killedAt).size).toBeGreaterThan(3);
  });
});
