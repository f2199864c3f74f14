// Issue 11's acceptance test: 8 shards of a 1,000-item fan-out run as separate matrix jobs (the bundled
// action's main and post, each with its own strategy env), one shard fails halfway and is re-run alone
// (replaying what it finished), then a merge job replays all 1,000 calls and finishes the workflow.
// The fake provider's log is the witness: no finished call ever reaches it twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRunBackendId } from '../emulator/runner-env.js';
import { ActionHarness, NODE24, type StepResult } from './action/harness.js';

let harness: ActionHarness;

beforeAll(async () => {
  harness = await ActionHarness.start();
});

afterAll(async () => {
  await harness?.close();
});

const RUN_ID = 4711;
const SHARDS = 8;
const ITEMS = 1000;
const FILE = '.github/reprise/research.yml';
/** The item whose provider answer is a fatal 400 in attempt 1: its shard stops there (fail-fast). */
const REFUSED = 'topic-0500';
const researchPrompt = (item: string) => `research ${item}`;

function workflow(): string {
  return `name: research
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
  topics:
    type: command
    command: node
    args: ['-e', 'const n = Number(process.argv[1]); console.log(JSON.stringify(Array.from({ length: n }, (_, i) => "topic-" + String(i + 1).padStart(4, "0"))))', '{prompt}']
defaults: { provider: fake, model: gpt-fake, retries: 0 }
limits: { max-calls: 2000 }
steps:
  - id: topics # every shard computes the list; no side effects
    agent: { provider: topics, prompt: '${ITEMS}' }
  - id: research
    for-each: \${{ fromJSON(steps.topics.outputs.text) }}
    shard: true
    fail-fast: true
    concurrency: 4
    agent: { prompt: "research \${{ item }}" }
  - id: summary
    agent: { prompt: "summarize \${{ join(steps.research.outputs.*.text, ';') }}" }
  - id: count
    run: |
      printf '%s' "$ANSWERS" | tr ';' '\\n' | grep -c '^echo: research topic-'
    env: { ANSWERS: "\${{ join(steps.research.outputs.*.text, ';') }}" }
outputs:
  researched: \${{ steps.count.outputs.stdout }}
`;
}

function job(name: string, attempt: number, inputs: Record<string, string>) {
  return harness.attempt({
    runId: RUN_ID,
    attempt,
    job: name,
    files: { [FILE]: workflow() },
    inputs: { workflow: FILE, ...inputs },
    env: { OPENAI_API_KEY: 'sk-e2e-not-a-real-key' },
    node: NODE24 ?? process.execPath,
  });
}

/** One job attempt as the runner runs it: main, then post with what main saved. */
async function runJob(name: string, attempt: number, inputs: Record<string, string>) {
  const step = job(name, attempt, inputs);
  const main = await step.main();
  const post = await step.post(main.state);
  return { main, post };
}

const log = (step: StepResult): string => `${step.stderr}\n${step.stdout}`;
const researchRequests = () => harness.openai.requests.filter((r) => r.prompt.startsWith('research '));

describe('a fan-out sharded across 8 matrix jobs', () => {
  it('runs each shard on its own, re-runs the failed one alone, and merges all 1,000 calls', async () => {
    harness.openai.fault({ status: 400, match: researchPrompt(REFUSED), message: 'refused' });

    // Attempt 1: the matrix, 8 jobs at once.
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, index) =>
        runJob('research', 1, { shard: String(index), shards: String(SHARDS) }),
      ),
    );
    const failed = shards.findIndex(({ main }) => main.outputs.status === 'failed');
    expect(failed, shards.map(({ main }) => main.outputs.status).join(',')).toBeGreaterThanOrEqual(0);
    for (const [index, { main, post }] of shards.entries()) {
      expect(post.code).toBe(0);
      if (index === failed) continue;
      expect(main.code, log(main)).toBe(0);
      expect(main.outputs.status).toBe('sharded');
      expect(main.outputs.outputs).toBe('{}');
      expect(main.summary).toMatch(
        new RegExp(`shard ${index}/8: \\d+ of 1000 items of research; stopped before "summary"`),
      );
    }
    const failedMain = shards[failed]!.main;
    expect(failedMain.code, log(failedMain)).toBe(1);
    const finishedBefore = Number(failedMain.outputs['calls-live']) - 1; // less the topics call
    // fail-fast: the shard stopped scheduling at the refused item, about halfway through its items.
    expect(finishedBefore).toBeGreaterThan(20);
    expect(finishedBefore).toBeLessThan(110);
    expect(failedMain.state.artifact).toBe(`reprise-research-research-shard-${failed}-of-8-attempt-1`);

    // "Re-run failed jobs": attempt 2 of the failed shard alone, on a fresh runner.
    const mark = harness.openai.requests.length;
    const rerun = await runJob('research', 2, { shard: String(failed), shards: String(SHARDS) });
    expect(rerun.main.code, log(rerun.main)).toBe(0);
    expect(rerun.main.outputs.status).toBe('sharded');
    expect(Number(rerun.main.outputs['calls-replayed'])).toBe(finishedBefore + 1);
    const rerunPrompts = harness.requestsSince(mark).map((r) => r.prompt);
    expect(rerunPrompts).toContain(researchPrompt(REFUSED));

    // Every item reached the provider once, but the refused one: refused once, then answered.
    const requested = researchRequests().map((r) => r.prompt);
    expect(new Set(requested).size).toBe(ITEMS);
    expect(requested.filter((prompt) => prompt === researchPrompt(REFUSED))).toHaveLength(2);
    expect(requested).toHaveLength(ITEMS + 1);

    const names = harness.emulator.artifacts(defaultRunBackendId(RUN_ID)).map((a) => a.name);
    expect(names.filter((name) => name.includes('-shard-')).sort()).toEqual(
      [
        ...Array.from({ length: SHARDS }, (_, i) => `reprise-research-research-shard-${i}-of-8-attempt-1`),
        `reprise-research-research-shard-${failed}-of-8-attempt-2`,
      ].sort(),
    );

    // The merge job (attempt 2 of the run): every shard's newest journal, replayed; the rest runs live.
    const beforeMerge = harness.openai.requests.length;
    const merge = await runJob('merge', 2, { 'merge-shards': 'true', shards: String(SHARDS) });
    expect(merge.main.code, log(merge.main)).toBe(0);
    expect(merge.main.outputs).toMatchObject({
      status: 'succeeded',
      'calls-replayed': String(ITEMS + 1),
      'calls-live': '2',
      outputs: JSON.stringify({ researched: `${ITEMS}\n` }),
    });
    const mergeRequests = harness.requestsSince(beforeMerge).map((r) => r.prompt);
    expect(mergeRequests).toHaveLength(1);
    expect(mergeRequests[0]).toMatch(/^summarize echo: research topic-0001;/);
    expect(merge.main.summary).toContain('### Shards (8 of 8 merged)');
    expect(merge.main.summary).toContain(
      `| ${failed}/8 | reprise-research-research-shard-${failed}-of-8-attempt-2 | 2 |`,
    );
    expect(merge.main.summary).toMatch(/^\| research \| ✅ succeeded \| 0 \| 1000 \| 0 \|/m);
    expect(merge.post.code).toBe(0);
  });

  it('refuses a merge whose shards are missing, naming them, before any call', async () => {
    const step = harness.attempt({
      runId: RUN_ID + 1,
      attempt: 1,
      job: 'merge',
      files: { [FILE]: workflow() },
      inputs: { workflow: FILE, 'merge-shards': 'true', shards: '2' },
      env: { OPENAI_API_KEY: 'sk-e2e-not-a-real-key' },
      node: NODE24 ?? process.execPath,
    });
    const mark = harness.openai.requests.length;
    const main = await step.main();
    expect(main.code, log(main)).toBe(1);
    expect(main.stdout).toMatch(
      /::error::cannot merge the shards: no journal of shard 0\/2, 1\/2 \(found 0 of 2\)/,
    );
    expect(harness.requestsSince(mark)).toEqual([]);
  });
});
