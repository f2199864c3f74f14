// Cross-run reuse (issue 10): a new run seeded from an earlier run's journal reuses its model calls and
// runs again what observes or changes the world; attempts of one run still replay everything.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callAgent } from '../../src/agents/index.js';
import type { ShellRequest, ShellResult } from '../../src/agents/shell.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/common.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { checkShardSet } from '../../src/journal/shard-set.js';
import { serializeEvents } from '../../src/journal/merge.js';
import { parseJournal } from '../../src/journal/reader.js';
import { MemoryJournal, echoAgent, load, run } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-11-02T06:00:00Z');
/** A clock at `days` after T0: the runs of a scheduled workflow, weeks apart, without waiting. */
const at = (days: number) => () => new Date(T0 + days * DAY);

/** A shell that records each script it runs and prints the output the test sets (the state of the world). */
function world(output: { text: string }) {
  const scripts: string[] = [];
  return {
    scripts,
    shell: async (request: ShellRequest): Promise<ShellResult> => {
      scripts.push(request.script);
      return { stdout: output.text, stderr: '', exitCode: 0 } as ShellResult;
    },
  };
}

const REPORT = (extra = '') => `
name: weekly
${extra}
steps:
  - id: log
    run: git log --oneline -5
  - id: summary
    agent: { prompt: "Summarize \${{ steps.log.outputs.stdout }}", model: m, provider: openai }
  - id: intro
    agent: { prompt: "Write an intro", model: m, provider: openai }
  - id: file
    run: gh issue create --title weekly
`;

describe('cross-run reuse', () => {
  it('a new run reuses model calls and runs run steps again; its own resume replays everything', async () => {
    const journal = new MemoryJournal();
    const output = { text: 'abc123 fix\n' };
    const sh = world(output);
    const first = await run(load(REPORT()), { journal, shell: sh.shell, runId: 'week-1', now: at(0) });
    expect(first.calls.live).toBe(4);
    expect(first.reuse).toBeUndefined();

    // Week 2, the world unchanged: both run steps run again, both model calls are reused.
    const agent = echoAgent();
    const week2 = await run(load(REPORT()), {
      journal,
      shell: sh.shell,
      agent: agent.fn,
      runId: 'week-2',
      reuseEarlierRuns: true,
      now: at(7),
    });
    expect(week2.status).toBe('succeeded');
    expect(sh.scripts).toEqual([
      'git log --oneline -5',
      'gh issue create --title weekly',
      'git log --oneline -5',
      'gh issue create --title weekly',
    ]);
    expect(agent.prompts).toEqual([]);
    expect(week2.calls).toMatchObject({ live: 2, replayed: 2 });
    expect(week2.reuse).toMatchObject({ reused: 2, rerun: 2, expired: 0, unmatched: 0 });
    const header = journal.events.filter((event) => event.t === 'run').at(-1);
    expect(header).toMatchObject({ runId: 'week-2', attempt: 1, reuses: ['week-1'] });
    // Earlier runs' calls never count toward this run's limits.
    expect(week2.budget.earlier.calls).toBe(0);
    expect(week2.budget.calls).toBe(2);

    // A second attempt of week 2 replays all of it, its own run steps included.
    const again = await run(load(REPORT()), {
      journal,
      shell: sh.shell,
      agent: agent.fn,
      runId: 'week-2',
      now: at(7.1),
    });
    expect(again.calls).toMatchObject({ live: 0, replayed: 4 });
    expect(sh.scripts).toHaveLength(4);
    expect(journal.events.filter((event) => event.t === 'run').at(-1)).toMatchObject({
      runId: 'week-2',
      attempt: 2,
    });
    expect(again.reuse).toMatchObject({ reused: 2, rerun: 0 });
  });

  it('a changed world changes what depends on it: the summary runs live, the intro is reused', async () => {
    const journal = new MemoryJournal();
    const output = { text: 'abc123 fix\n' };
    const sh = world(output);
    await run(load(REPORT()), { journal, shell: sh.shell, runId: 'week-1', now: at(0) });
    output.text = 'def456 feature\n';
    const agent = echoAgent();
    const week2 = await run(load(REPORT()), {
      journal,
      shell: sh.shell,
      agent: agent.fn,
      runId: 'week-2',
      reuseEarlierRuns: true,
      now: at(7),
    });
    expect(agent.prompts).toEqual(['Summarize def456 feature\n']);
    expect(week2.reuse).toMatchObject({ reused: 1, rerun: 2, unmatched: 1 });
  });

  it('without a reuse start, a journal of another run id replays in full (a fork, a merge, resume-from)', async () => {
    const journal = new MemoryJournal();
    const sh = world({ text: 'x\n' });
    await run(load(REPORT()), { journal, shell: sh.shell, runId: 'source' });
    const continued = await run(load(REPORT()), { journal, shell: sh.shell, runId: 'fork' });
    expect(continued.calls).toMatchObject({ live: 0, replayed: 4 });
    expect(continued.reuse).toBeUndefined();
  });

  it('reuse: true reuses a run step, reuse: false runs a model call again; a group passes it on', async () => {
    const workflow = load(`
name: weekly
steps:
  - id: build
    reuse: true
    run: make docs
  - id: fresh
    reuse: false
    agent: { prompt: "What is new?", model: m, provider: openai }
  - id: group
    reuse: false
    parallel:
      - id: inner
        agent: { prompt: "Inner", model: m, provider: openai }
      - id: kept
        reuse: true
        agent: { prompt: "Kept", model: m, provider: openai }
`);
    const journal = new MemoryJournal();
    const sh = world({ text: 'built\n' });
    await run(workflow, { journal, shell: sh.shell, runId: 'r1', now: at(0) });
    const agent = echoAgent();
    const second = await run(workflow, {
      journal,
      shell: sh.shell,
      agent: agent.fn,
      runId: 'r2',
      reuseEarlierRuns: true,
      now: at(1),
    });
    expect(sh.scripts).toEqual(['make docs']);
    expect(agent.prompts.sort()).toEqual(['Inner', 'What is new?']);
    expect(second.reuse).toMatchObject({ reused: 2, rerun: 2 });
  });

  it('calls older than reuse-max-age run live again, measured from the run start across its attempts', async () => {
    const journal = new MemoryJournal();
    const sh = world({ text: 'x\n' });
    await run(load(REPORT()), { journal, shell: sh.shell, runId: 'week-1', now: at(0) });

    // Eight days later (past the default 7): nothing is reused.
    const late = new MemoryJournal();
    late.events.push(...journal.events);
    const agent = echoAgent();
    const stale = await run(load(REPORT()), {
      journal: late,
      shell: sh.shell,
      agent: agent.fn,
      runId: 'week-2',
      reuseEarlierRuns: true,
      now: at(8),
    });
    expect(agent.prompts).toHaveLength(2);
    expect(stale.reuse).toMatchObject({ reused: 0, expired: 2, rerun: 2, maxAgeMs: 7 * DAY });

    // The workflow may allow more; a flag (or action input) overrides the workflow.
    const longer = await run(load(REPORT('reuse-max-age: 10d')), {
      journal: copy(journal),
      shell: sh.shell,
      runId: 'week-2',
      reuseEarlierRuns: true,
      now: at(8),
    });
    expect(longer.reuse).toMatchObject({ reused: 2, expired: 0, maxAgeMs: 10 * DAY });
    const none = await run(load(REPORT('reuse-max-age: 10d')), {
      journal: copy(journal),
      shell: sh.shell,
      runId: 'week-2',
      reuseEarlierRuns: true,
      reuseMaxAgeMs: 0,
      now: at(8),
    });
    expect(none.reuse).toMatchObject({ reused: 0, expired: 2 });

    // Day 6: reused; its second attempt on day 9 still reuses them (the run's decisions do not change).
    const onTime = copy(journal);
    const fresh = await run(load(REPORT()), {
      journal: onTime,
      shell: sh.shell,
      runId: 'week-2',
      reuseEarlierRuns: true,
      now: at(6),
    });
    expect(fresh.reuse).toMatchObject({ reused: 2, expired: 0 });
    const agent2 = echoAgent();
    const retried = await run(load(REPORT()), {
      journal: onTime,
      shell: sh.shell,
      agent: agent2.fn,
      runId: 'week-2',
      now: at(9),
    });
    expect(agent2.prompts).toEqual([]);
    expect(retried.reuse).toMatchObject({ reused: 2, expired: 0 });
  });

  it("an earlier run's answer is not taken for this run's question, unless the ask says reuse: true", async () => {
    const workflow = (reuse: string) =>
      load(`
name: approve
steps:
  - id: ok
    ${reuse}
    ask: { question: "Publish?", answer: boolean }
`);
    const journal = new MemoryJournal();
    const given = new Map([['ok', { value: true, by: 'cli' }]]);
    const first = await run(workflow(''), { journal, runId: 'r1', answers: { given } });
    expect(first.status).toBe('succeeded');
    const second = await run(workflow(''), { journal: copy(journal), runId: 'r2', reuseEarlierRuns: true });
    expect(second.status).toBe('waiting');
    expect(second.reuse).toMatchObject({ rerun: 1 });
    const opted = await run(workflow('reuse: true'), {
      journal: copy(journal),
      runId: 'r2',
      reuseEarlierRuns: true,
    });
    expect(opted.status).toBe('succeeded');
    expect(opted.reuse).toMatchObject({ reused: 1 });
  });
});

function copy(journal: MemoryJournal): MemoryJournal {
  const fresh = new MemoryJournal();
  fresh.events.push(...(JSON.parse(JSON.stringify(journal.events)) as typeof journal.events));
  return fresh;
}

describe('editing one prompt of a 12-call workflow, then a new run reusing the first', () => {
  let openai: FakeServer;
  beforeAll(async () => {
    openai = await startFakeOpenAI();
  });
  afterAll(async () => {
    await openai.close();
  });
  beforeEach(() => {
    openai.requests.length = 0;
  });

  const twelve = (third: string) =>
    load(`
name: twelve
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0 }
steps:
${Array.from({ length: 8 }, (_, i) => `  - id: s${i}\n    agent: { prompt: "${i === 3 ? third : `step ${i}`}" }`).join('\n')}
  - id: fan
    for-each: [a, b, c, d]
    agent: { prompt: "item \${{ item }}" }
`);

  it('replays 11 calls and runs 1 live (the fake server sees exactly one more request)', async () => {
    const env = { PATH: process.env.PATH, OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'test-key' };
    const journal = new MemoryJournal();
    const first = await run(twelve('step 3'), { journal, env, agent: callAgent, runId: 'r1', now: at(0) });
    expect(first.status).toBe('succeeded');
    expect(openai.requests).toHaveLength(12);

    const edited = await run(twelve('step 3, reworded'), {
      journal,
      env,
      agent: callAgent,
      runId: 'r2',
      reuseEarlierRuns: true,
      now: at(1),
    });
    expect(edited.status).toBe('succeeded');
    expect(openai.requests).toHaveLength(13);
    expect(edited.calls).toMatchObject({ live: 1, replayed: 11 });
    expect(edited.reuse).toMatchObject({ reused: 11, rerun: 0, expired: 0, unmatched: 1 });
  });
});

describe('tool calls across runs', () => {
  let openai: FakeServer;
  let workspace: string;
  let counter: string;
  beforeAll(async () => {
    openai = await startFakeOpenAI();
  });
  afterAll(async () => {
    await openai.close();
  });
  beforeEach(() => {
    openai.requests.length = 0;
    workspace = mkdtempSync(join(tmpdir(), 'reprise-reuse-tools-'));
    counter = join(workspace, 'count.log');
    writeFileSync(join(workspace, 'notes.txt'), 'week one\n');
  });

  const workflow = () =>
    load(`
name: tools
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0 }
tools:
  lookup:
    description: A lookup whose answer depends on its argument alone.
    reuse: true
    parameters: { type: object, properties: { label: { type: string } } }
    run: |
      printf 'lookup %s\\n' "$TOOL_INPUT_LABEL" >> "$COUNTER_FILE"
      printf 'found %s' "$TOOL_INPUT_LABEL"
  stamp:
    description: Records that the digest went out (a side effect).
    parameters: { type: object, properties: { label: { type: string } } }
    run: |
      printf 'stamp %s\\n' "$TOOL_INPUT_LABEL" >> "$COUNTER_FILE"
      printf 'stamped'
steps:
  - id: work
    agent:
      prompt: Look up a, stamp it, read notes.txt.
      tools: [lookup, stamp, read_file]
`);

  it('reuses turns and tools declared reuse: true; runs other tools again; a changed file goes on live', async () => {
    openai.respond(
      toolScript((turn, request) =>
        turn === 0
          ? {
              text: '',
              toolCalls: [
                { name: 'lookup', arguments: { label: 'a' } },
                { name: 'stamp', arguments: { label: 'a' } },
                { name: 'read_file', arguments: { path: 'notes.txt' } },
              ],
            }
          : {
              text: `done: ${toolResults(request)
                .map((result) => result.content)
                .join(' | ')}`,
            },
      ),
    );
    const env = {
      PATH: process.env.PATH,
      COUNTER_FILE: counter,
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'test-key',
    };
    // The tool calls of a turn run at once: their lines land in either order.
    const lines = () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).sort();
    const journal = new MemoryJournal();
    const first = await run(workflow(), { journal, env, workspace, runId: 'r1', now: at(0) });
    expect(first.status).toBe('succeeded');
    expect(openai.requests).toHaveLength(2);
    expect(lines()).toEqual(['lookup a', 'stamp a']);

    // Same files: both turns and the lookup are reused; the stamp and read_file run again.
    const second = await run(workflow(), {
      journal,
      env,
      workspace,
      runId: 'r2',
      reuseEarlierRuns: true,
      now: at(1),
    });
    expect(second.outputs).toEqual(first.outputs);
    expect(openai.requests).toHaveLength(2);
    expect(lines()).toEqual(['lookup a', 'stamp a', 'stamp a']);
    expect(second.reuse).toMatchObject({ reused: 3, rerun: 2 });

    // A file the model read changed: read_file returns it, so the next turn's key changes and runs live.
    writeFileSync(join(workspace, 'notes.txt'), 'week two\n');
    const third = await run(workflow(), {
      journal,
      env,
      workspace,
      runId: 'r3',
      reuseEarlierRuns: true,
      now: at(2),
    });
    expect(openai.requests).toHaveLength(3);
    expect(third.calls).toMatchObject({ live: 3, replayed: 2 });
    expect(third.reuse).toMatchObject({ reused: 2, rerun: 2 });
  });
});

describe('shards of a run that reuses an earlier one', () => {
  it("merge as one run: the shards' run steps replay in the merge, the earlier run's are not taken", async () => {
    const workflow = load(`
name: sharded
steps:
  - id: list
    run: printf 'a\\nb\\n'
  - id: each
    for-each: \${{ steps.list.outputs.lines }}
    shard: true
    env: { ITEM: "\${{ item }}" }
    run: printf '%s' "$ITEM"
  - id: sum
    agent: { prompt: "Sum up", model: m, provider: openai }
`);
    const scripts: string[] = [];
    const shell = async (request: ShellRequest): Promise<ShellResult> => {
      scripts.push(`${request.script} ${request.env['ITEM'] ?? ''}`.trim());
      return {
        stdout: request.script.startsWith("printf 'a") ? 'a\nb\n' : request.env['ITEM']!,
        stderr: '',
        exitCode: 0,
      } as ShellResult;
    };
    const week1 = new MemoryJournal();
    await run(workflow, { journal: week1, shell, runId: 'week-1', now: at(0) });
    expect(scripts).toHaveLength(3);

    // Week 2: each shard job restores week 1's journal and starts a run reusing it.
    const shards = [0, 1].map(() => copy(week1));
    for (const [index, journal] of shards.entries()) {
      const result = await run(workflow, {
        journal,
        shell,
        runId: `week-2-shard-${index}`,
        reuseEarlierRuns: true,
        shard: { index, total: 2 },
        now: at(7),
      });
      expect(result.status).toBe('sharded');
    }
    // Each shard ran `list` again and its own item: 2 + 2 scripts.
    expect(scripts).toHaveLength(7);

    const reads = shards.map((journal, index) => ({
      ...parseJournal(serializeEvents(journal.events), `shard-${index}`),
    }));
    const set = checkShardSet(reads, { workflow: 'sharded', script: workflow.scriptHash, onMissing: 'fail' });
    expect(set.shards.map((shard) => shard.attempts)).toEqual([1, 1]);
    const merged = new MemoryJournal();
    merged.events.push(...set.merged.events);
    const agent = echoAgent();
    const merge = await run(workflow, {
      journal: merged,
      shell,
      agent: agent.fn,
      runId: 'week-2',
      mergeOf: 2,
      now: at(7.01),
    });
    expect(merge.status).toBe('succeeded');
    // Nothing ran again: the shards' run steps are the run's own; the model call is week 1's, reused.
    expect(scripts).toHaveLength(7);
    expect(agent.prompts).toEqual([]);
    expect(merge.calls).toMatchObject({ live: 0, replayed: 4 });
    expect(merge.reuse).toMatchObject({ reused: 1 });
  });
});
