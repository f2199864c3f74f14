// `uses:` sub-workflows: validation against the callee's inputs, one journal keyed under the caller's
// path, resume inside the callee, callee edits, fan-out, groups and loops.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/agents/types.js';
import { formatProblem, loadWorkflowFile } from '../../src/workflow/loader.js';
import { renderMermaid } from '../../src/workflow/graph.js';
import type { WorkflowDef } from '../../src/workflow/types.js';
import { MemoryJournal, echoAgent, run } from './harness.js';
import type { AgentFn } from './harness.js';

function dir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'reprise-uses-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

async function loadOk(file: string): Promise<WorkflowDef> {
  const { workflow, problems } = await loadWorkflowFile(file);
  if (!workflow) throw new Error(problems.map(formatProblem).join('\n'));
  return workflow;
}

const SUMMARIZE = `
name: summarize
inputs:
  topic: { type: string, required: true }
  style: { type: enum, options: [short, long], default: short }
steps:
  - id: draft
    agent: { prompt: "draft about \${{ inputs.topic }} (\${{ inputs.style }})", model: m, provider: openai }
  - id: polish
    agent: { prompt: "polish \${{ steps.draft.outputs.text }}", model: m, provider: openai }
outputs:
  text: \${{ steps.polish.outputs.text }}
`;

const CALLER = `
name: caller
steps:
  - id: intro
    agent: { prompt: "intro", model: m, provider: openai }
  - id: sum
    uses: ./summarize.yml
    with: { topic: "\${{ steps.intro.outputs.text }}" }
  - id: after
    agent: { prompt: "after \${{ steps.sum.outputs.text }}", model: m, provider: openai }
outputs:
  final: \${{ steps.after.outputs.text }}
`;

function failingAt(k: number): { fn: AgentFn; prompts: string[] } {
  const inner = echoAgent();
  let n = 0;
  return {
    prompts: inner.prompts,
    fn: (request, context) => {
      n += 1;
      if (n === k) throw new CallError('injected failure', 'fatal');
      return inner.fn(request, context);
    },
  };
}

describe('uses: running a called workflow', () => {
  it('passes with: inputs, exposes the callee outputs, and journals its calls under caller/inner', async () => {
    const root = dir({ 'summarize.yml': SUMMARIZE, 'caller.yml': CALLER });
    const workflow = await loadOk(join(root, 'caller.yml'));
    const result = await run(workflow);
    expect(result.status).toBe('succeeded');
    expect(result.outputs.final).toBe(
      'answer(after answer(polish answer(draft about answer(intro) (short))))',
    );
    const steps = result.journal.events.flatMap((e) => (e.t === 'call' ? [e.step] : []));
    expect(steps).toEqual(['intro', 'sum/draft', 'sum/polish', 'after']);
    expect(result.steps.map((s) => s.id)).toEqual(['intro', 'sum', 'sum/draft', 'sum/polish', 'after']);
  });

  for (const k of [2, 3]) {
    it(`a failure at call ${k} (inside the callee) resumes at that exact call`, async () => {
      const root = dir({ 'summarize.yml': SUMMARIZE, 'caller.yml': CALLER });
      const workflow = await loadOk(join(root, 'caller.yml'));
      const journal = new MemoryJournal();
      const first = await run(workflow, { journal, agent: failingAt(k).fn });
      expect(first.status).toBe('failed');
      expect(first.error).toContain(`step "sum/${k === 2 ? 'draft' : 'polish'}": injected failure`);
      const second = echoAgent();
      const resumed = await run(workflow, { journal, agent: second.fn });
      expect(resumed.status).toBe('succeeded');
      expect(resumed.calls.replayed).toBe(k - 1);
      expect(resumed.calls.live).toBe(4 - (k - 1));
      expect(second.prompts[0]).toMatch(k === 2 ? /^draft about/ : /^polish/);
    });
  }

  it('an edit of the callee re-runs only the calls whose requests changed', async () => {
    const root = dir({ 'summarize.yml': SUMMARIZE, 'caller.yml': CALLER });
    const journal = new MemoryJournal();
    await run(await loadOk(join(root, 'caller.yml')), { journal });
    writeFileSync(join(root, 'summarize.yml'), SUMMARIZE.replace('"polish ', '"polish carefully '));
    const agent = echoAgent();
    const edited = await run(await loadOk(join(root, 'caller.yml')), { journal, agent: agent.fn });
    expect(edited.status).toBe('succeeded');
    expect(agent.prompts.map((p) => p.split(' ')[0])).toEqual(['polish', 'after']);
    expect(edited.calls.replayed).toBe(2);
  });

  it('works with for-each (a list of outputs), inside parallel and inside repeat', async () => {
    const root = dir({
      'summarize.yml': SUMMARIZE,
      'caller.yml': `
name: many
steps:
  - id: each
    for-each: [a, b, c]
    concurrency: 2
    uses: ./summarize.yml
    with: { topic: "\${{ item }}", style: long }
  - id: group
    parallel:
      - id: one
        uses: ./summarize.yml
        with: { topic: one }
      - id: other
        agent: { prompt: "other", model: m, provider: openai }
  - id: loop
    repeat:
      max: 2
      until: false
      steps:
        - id: inner
          uses: ./summarize.yml
          with: { topic: "round \${{ loop.iteration }}" }
outputs:
  texts: \${{ steps.each.outputs.*.text }}
  one: \${{ steps.one.outputs.text }}
  last: \${{ steps.inner.outputs.text }}
`,
    });
    const workflow = await loadOk(join(root, 'caller.yml'));
    const result = await run(workflow);
    expect(result.status).toBe('succeeded');
    expect(result.outputs.texts).toEqual(
      ['a', 'b', 'c'].map((t) => `answer(polish answer(draft about ${t} (long)))`),
    );
    expect(result.outputs.one).toBe('answer(polish answer(draft about one (short)))');
    expect(result.outputs.last).toBe('answer(polish answer(draft about round 2 (short)))');
    expect(result.calls.live).toBe(6 + 2 + 1 + 4);
    const again = await run(workflow, { journal: result.journal });
    expect(again.calls).toMatchObject({ live: 0, replayed: 13 });
    expect(again.outputs).toEqual(result.outputs);
  });

  it('a callee uses its own defaults and providers; the caller limits are the run-wide limits', async () => {
    const root = dir({
      'callee.yml': `
name: callee
defaults: { provider: openai, model: callee-model }
steps:
  - id: a
    agent: { prompt: "one" }
  - id: b
    agent: { prompt: "two" }
`,
      'caller.yml': `
name: caller
limits: { max-calls: 1 }
steps:
  - id: c
    uses: ./callee.yml
`,
    });
    const agent = echoAgent();
    const models: string[] = [];
    const result = await run(await loadOk(join(root, 'caller.yml')), {
      agent: (request, context) => {
        models.push(request.model);
        return agent.fn(request, context);
      },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/max-calls/);
    expect(models).toEqual(['callee-model']);
  });
});

describe('uses: validation', () => {
  it('checks with: against the callee inputs, at the caller line, naming the declaration', async () => {
    const root = dir({
      'summarize.yml': SUMMARIZE,
      'caller.yml': `name: caller
steps:
  - id: a
    uses: ./summarize.yml
    with:
      topik: x
      style: medium
`,
    });
    const { problems } = await loadWorkflowFile(join(root, 'caller.yml'));
    const text = problems.map(formatProblem);
    expect(text).toEqual([
      expect.stringMatching(/caller\.yml:4:11: .*summarize\.yml requires input "topic".*summarize\.yml:4:3/),
      expect.stringMatching(/caller\.yml:6:7: .*has no input "topik".*did you mean "topic"/),
      expect.stringMatching(/caller\.yml:7:14: input "style" must be one of short, long.*summarize\.yml:5:3/),
    ]);
  });

  it('reports a problem inside the callee at the callee file, line and column', async () => {
    const root = dir({
      'bad.yml': `name: bad
steps:
  - id: x
    agent: { prompt: "\${{ steps.nope.outputs.text }}" }
`,
      'caller.yml': `name: caller
steps:
  - id: a
    uses: ./bad.yml
`,
    });
    const { problems } = await loadWorkflowFile(join(root, 'caller.yml'));
    const text = problems.map(formatProblem);
    expect(text[0]).toMatch(/caller\.yml:4:11: the called workflow .*bad\.yml has problems/);
    expect(text[1]).toMatch(/bad\.yml:4:22: unknown step "nope"/);
  });

  it('refuses cycles, missing files and absolute paths', async () => {
    const root = dir({
      'a.yml': 'name: a\nsteps:\n  - id: call-b\n    uses: ./b.yml\n',
      'b.yml': 'name: b\nsteps:\n  - id: call-a\n    uses: ./a.yml\n',
      'c.yml': 'name: c\nsteps:\n  - id: x\n    uses: ./missing.yml\n  - id: y\n    uses: /etc/a.yml\n',
    });
    const cycle = (await loadWorkflowFile(join(root, 'a.yml'))).problems.map(formatProblem);
    expect(cycle.join('\n')).toMatch(
      /b\.yml:4:11: workflows call each other in a cycle: .*a\.yml → b\.yml → a\.yml/,
    );
    const other = (await loadWorkflowFile(join(root, 'c.yml'))).problems.map(formatProblem);
    expect(other).toEqual([
      expect.stringMatching(/c\.yml:4:11: called workflow not found: .*missing\.yml/),
      expect.stringMatching(/c\.yml:6:11: "uses" must be a path relative to this file/),
    ]);
  });

  it('the graph shows the callee steps nested under the uses step', async () => {
    const root = dir({ 'summarize.yml': SUMMARIZE, 'caller.yml': CALLER });
    const graph = renderMermaid(await loadOk(join(root, 'caller.yml')), { 'sum/draft': 'failed' });
    expect(graph).toContain('subgraph uses0["sum: ./summarize.yml"]');
    expect(graph).toMatch(/n2\("agent · draft"\)/);
    expect(graph).toContain('class n2 failed');
    for (const edge of ['n0 --> n1', 'n1 --> n2', 'n2 --> n3', 'n3 --> n4']) expect(graph).toContain(edge);
  });
});
