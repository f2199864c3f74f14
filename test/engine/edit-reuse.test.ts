// Editing a workflow invalidates only the calls whose resolved inputs changed, never by position.
import { describe, expect, it } from 'vitest';
import { MemoryJournal, echoAgent, load, run } from './harness.js';

/** 100 agent steps; every tenth step reads the previous step's answer (a data dependency). */
function hundredSteps(edit?: { insertAt?: number; prompt?: { step: number; text: string } }): string {
  const steps: string[] = [];
  for (let i = 0; i < 100; i++) {
    if (edit?.insertAt === i) {
      steps.push(`  - id: inserted\n    agent: { prompt: "a brand new step", model: m, provider: openai }`);
    }
    const prompt =
      edit?.prompt?.step === i
        ? edit.prompt.text
        : i % 10 === 1
          ? `step ${i} builds on \${{ steps.s${i - 1}.outputs.text }}`
          : `step ${i}`;
    steps.push(`  - id: s${i}\n    agent: { prompt: "${prompt}", model: m, provider: openai }`);
  }
  return `name: hundred\nsteps:\n${steps.join('\n')}\n`;
}

describe('edit reuse', () => {
  it('inserting a step at position 50 replays every one of the 100 old calls', async () => {
    const journal = new MemoryJournal();
    const first = await run(load(hundredSteps()), { journal });
    expect(first.calls.live).toBe(100);

    const agent = echoAgent();
    const edited = await run(load(hundredSteps({ insertAt: 50 })), { journal, agent: agent.fn });
    expect(edited.status).toBe('succeeded');
    expect(edited.calls.replayed).toBe(100);
    expect(edited.calls.live).toBe(1);
    expect(agent.prompts).toEqual(['a brand new step']);
    expect(edited.unmatchedJournalCalls).toBe(0);
  });

  it('editing one prompt runs only that call and the calls that depend on its result', async () => {
    const journal = new MemoryJournal();
    await run(load(hundredSteps()), { journal });

    const agent = echoAgent();
    const edited = await run(load(hundredSteps({ prompt: { step: 40, text: 'step 40, reworded' } })), {
      journal,
      agent: agent.fn,
    });
    // s40 changed; s41 reads s40's answer, so it changes too; nothing else does.
    expect(agent.prompts).toEqual(['step 40, reworded', 'step 41 builds on answer(step 40, reworded)']);
    expect(edited.calls.live).toBe(2);
    expect(edited.calls.replayed).toBe(98);
    expect(edited.unmatchedJournalCalls).toBe(2);
  });

  it('removing a step keeps every other call replayable', async () => {
    const journal = new MemoryJournal();
    await run(load(hundredSteps({ insertAt: 10 })), { journal });
    const agent = echoAgent();
    const edited = await run(load(hundredSteps()), { journal, agent: agent.fn });
    expect(agent.prompts).toEqual([]);
    expect(edited.calls.replayed).toBe(100);
    expect(edited.unmatchedJournalCalls).toBe(1);
  });
});
