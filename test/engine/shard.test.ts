// Sharded fan-outs: each shard runs its own items by key and stops before their readers; the merged
// journals replay every item and the merge run finishes the workflow.
import { describe, expect, it } from 'vitest';
import { ownerOf, parseShardId } from '../../src/engine/shard.js';
import type { JournalEvent } from '../../src/journal/types.js';
import { renderMermaid } from '../../src/workflow/graph.js';
import { loadWorkflowText } from '../../src/workflow/loader.js';
import { MemoryJournal, echoAgent, load, run } from './harness.js';

const ITEMS = Array.from({ length: 40 }, (_, i) => `topic-${i}`);

const research = load(`
name: research
inputs:
  topics: { type: array }
steps:
  - id: plan
    agent: { prompt: "plan", model: m, provider: openai }
  - id: research
    for-each: \${{ inputs.topics }}
    shard: true
    agent: { prompt: "research \${{ item }}", model: m, provider: openai }
  - id: unrelated
    agent: { prompt: "unrelated", model: m, provider: openai }
  - id: summary
    agent: { prompt: "summarize \${{ join(steps.research.outputs.*.text, '|') }}", model: m, provider: openai }
  - id: after
    agent: { prompt: "after", model: m, provider: openai }
outputs:
  summary: \${{ steps.summary.outputs.text }}
`);

async function runShards(total: number, topics: string[]) {
  const shards = [];
  for (let index = 0; index < total; index++) {
    const agent = echoAgent();
    const result = await run(research, { inputs: { topics }, agent: agent.fn, shard: { index, total } });
    shards.push({ ...result, prompts: agent.prompts });
  }
  return shards;
}

function mergedJournal(journals: MemoryJournal[]): MemoryJournal {
  const merged = new MemoryJournal();
  for (const journal of journals) for (const event of journal.events) merged.append(event);
  return merged;
}

describe('item ownership', () => {
  it('is a stable hash of the call key that spreads items over every shard', () => {
    const owners = ITEMS.map((item) => ownerOf(`sha256:${item}`, 8));
    expect(ITEMS.map((item) => ownerOf(`sha256:${item}`, 8))).toEqual(owners);
    expect(new Set(owners).size).toBe(8);
    expect(owners.every((owner) => owner >= 0 && owner < 8)).toBe(true);
  });

  it('parses I/N and refuses what is out of range', () => {
    expect(parseShardId('3/8')).toEqual({ index: 3, total: 8 });
    expect(parseShardId('8/8')).toMatch(/from 0 to 7/);
    expect(parseShardId('1/0')).toMatch(/from 1 to 256/);
    expect(parseShardId('a/b')).toMatch(/expected I\/N/);
  });
});

describe('a shard', () => {
  it('runs its own items, steps that read no sharded step, and stops before the first reader', async () => {
    const shards = await runShards(4, ITEMS);
    const researched = shards.flatMap((shard) => shard.prompts.filter((p) => p.startsWith('research ')));
    expect(researched.sort()).toEqual(ITEMS.map((item) => `research ${item}`).sort());
    for (const shard of shards) {
      expect(shard.status).toBe('sharded');
      expect(shard.outputs).toEqual({});
      expect(shard.prompts).toContain('plan');
      expect(shard.prompts).toContain('unrelated');
      expect(shard.prompts.some((p) => p.startsWith('summarize'))).toBe(false);
      expect(shard.prompts).not.toContain('after');
      expect(shard.shard?.stoppedBefore).toBe('summary');
      expect(shard.steps.find((step) => step.id === 'summary')?.status).toBe('not-run');
      const end = shard.journal.events.at(-1) as JournalEvent;
      expect(end).toMatchObject({ t: 'end', status: 'sharded' });
      expect(shard.journal.events[0]).toMatchObject({ t: 'run', shard: { total: 4 } });
    }
    expect(shards.reduce((sum, shard) => sum + (shard.shard?.steps[0]?.owned ?? 0), 0)).toBe(ITEMS.length);
  });

  it('keeps its items when the list is reordered or grows (ownership is by key, not position)', async () => {
    const before = await runShards(3, ITEMS);
    const reordered = [...ITEMS].reverse().concat(['topic-new']);
    const after = await runShards(3, reordered);
    for (let index = 0; index < 3; index++) {
      const mine = (prompts: string[]) =>
        prompts.filter((p) => p.startsWith('research ') && p !== 'research topic-new');
      expect(mine(after[index]!.prompts).sort()).toEqual(mine(before[index]!.prompts).sort());
    }
  });

  it('replays its own finished calls when re-run after a failure', async () => {
    const journal = new MemoryJournal();
    let calls = 0;
    const failing = echoAgent();
    const first = await run(research, {
      inputs: { topics: ITEMS },
      journal,
      shard: { index: 1, total: 2 },
      agent: (request, context) => {
        calls += 1;
        if (calls === 8) throw new Error('provider down');
        return failing.fn(request, context);
      },
    });
    expect(first.status).toBe('failed');
    const again = echoAgent();
    const second = await run(research, {
      inputs: { topics: ITEMS },
      journal,
      shard: { index: 1, total: 2 },
      agent: again.fn,
    });
    expect(second.status).toBe('sharded');
    // The item that failed, and the step the failure kept from running.
    expect(again.prompts).toEqual([expect.stringMatching(/^research topic-/), 'unrelated']);
    expect(second.calls.replayed).toBe(first.calls.live);
  });
});

describe('the merge run', () => {
  it('replays every shard call and finishes with the outputs of an unsharded run', async () => {
    const shards = await runShards(4, ITEMS);
    const journal = mergedJournal(shards.map((shard) => shard.journal));
    const agent = echoAgent();
    const warnings: string[] = [];
    const merged = await run(research, {
      inputs: { topics: ITEMS },
      journal,
      agent: agent.fn,
      mergeOf: 4,
      observer: { warning: (message) => warnings.push(message) },
    });
    expect(merged.status).toBe('succeeded');
    expect(agent.prompts.filter((p) => p.startsWith('research '))).toEqual([]);
    expect(agent.prompts).toEqual([expect.stringMatching(/^summarize /), 'after']);
    expect(warnings).toEqual([]);
    const plain = await run(research, { inputs: { topics: ITEMS } });
    expect(merged.outputs).toEqual(plain.outputs);
  });

  it('runs the items of a shard whose journal is missing live, naming the shard', async () => {
    const shards = await runShards(4, ITEMS);
    const journal = mergedJournal(shards.filter((_, index) => index !== 2).map((shard) => shard.journal));
    const agent = echoAgent();
    const warnings: string[] = [];
    const merged = await run(research, {
      inputs: { topics: ITEMS },
      journal,
      agent: agent.fn,
      mergeOf: 4,
      observer: { warning: (message) => warnings.push(message) },
    });
    expect(merged.status).toBe('succeeded');
    const owned = shards[2]!.shard!.steps[0]!.owned;
    expect(agent.prompts.filter((p) => p.startsWith('research '))).toHaveLength(owned);
    expect(warnings).toEqual([
      `step "research": ${owned} items of shard 2/4 had no journaled result; running them live`,
    ]);
  });
});

describe('validation', () => {
  it('refuses shard without for-each and inside a group, with their location', () => {
    expect(() =>
      load(`
name: w
steps:
  - id: a
    shard: true
    agent: { prompt: "x", model: m, provider: openai }
  - id: g
    parallel:
      - id: b
        for-each: [1, 2]
        shard: true
        agent: { prompt: "x", model: m, provider: openai }
`),
    ).toThrow(
      /test\.yml:5:5: "shard" only applies with "for-each"[\s\S]*test\.yml:11:9: "shard" only applies to top-level steps/,
    );
  });

  it('warns, at the step, about a run step every shard would run', () => {
    const { workflow, warnings } = loadWorkflowText(
      `name: w
steps:
  - id: list
    run: ls
  - id: fan
    for-each: \${{ steps.list.outputs.lines }}
    shard: true
    agent: { prompt: "x \${{ item }}", model: m, provider: openai }
  - id: notify
    run: echo done
  - id: browse
    agent: { prompt: "look", model: m, provider: openai, tools: [read_file, deploy] }
  - id: read
    agent: { prompt: "read", model: m, provider: openai, tools: [read_file] }
  - id: report
    run: echo "$N"
    env: { N: "\${{ steps.fan.outputs.*.text }}" }
tools:
  deploy:
    description: Deploy the site.
    parameters: { type: object }
    run: echo deployed
`,
      'test.yml',
    );
    expect(workflow).toBeDefined();
    expect(warnings?.map((w) => `${w.line}:${w.column} ${w.message.split(' (')[0]}`)).toEqual([
      '3:5 run step "list" runs in every shard',
      '9:5 run step "notify" runs in every shard',
      '11:5 step "browse" with tools that may have side effects',
    ]);
    expect(renderMermaid(workflow!)).toContain('sharded across jobs');
  });
});
