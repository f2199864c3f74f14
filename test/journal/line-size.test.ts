// One copy of everything in a journal line: an agent's model and usage live in its result, and journals
// written before (with copies on the line) still read and replay the same.
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../src/journal/reader.js';
import { MemoryJournal, echoAgent, load, run } from '../engine/harness.js';

const fan = load(`
name: fan
steps:
  - id: review
    for-each: \${{ fromJSON('["a", "b", "c"]') }}
    agent: { prompt: "review \${{ item }}", model: m, provider: openai }
outputs:
  texts: \${{ steps.review.outputs.*.text }}
`);

const usage = { inputTokens: 12, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.002 };
const header =
  '{"v":1,"t":"run","workflow":"fan","script":"sha256:x","runId":"r","attempt":1,"inputs":{},"at":"t"}';

describe('journal lines', () => {
  it('keep an agent call model and usage once, inside its result', async () => {
    const first = await run(fan);
    const lines = first.journal.events.filter((event) => event.t === 'call');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toHaveProperty('usage');
      expect(line).not.toHaveProperty('model');
      expect(line.result).toMatchObject({ model: 'm', usage: { outputTokens: 10 } });
    }
  });

  it('a resume still counts what the replayed calls saved', async () => {
    const journal = new MemoryJournal();
    const first = await run(fan, { journal });
    const agent = echoAgent();
    const again = await run(fan, { journal, agent: agent.fn });
    expect(agent.prompts).toEqual([]);
    expect(again.calls.replayed).toBe(3);
    expect(again.saved).toEqual(first.usage);
    expect(again.saved.inputTokens).toBeGreaterThan(0);
  });

  it('the reader gives model and usage of new lines (from the result) and of old lines (from the line)', () => {
    const result = { text: 'ok', usage, model: 'from-result' };
    const newLine = JSON.stringify({
      t: 'call',
      key: 'k1',
      step: 's',
      kind: 'agent',
      result,
      ms: 1,
      at: 't',
    });
    const oldLine = JSON.stringify({
      t: 'call',
      key: 'k2',
      step: 's',
      kind: 'agent',
      model: 'from-line',
      result: { ...result, model: 'from-line' },
      usage,
      ms: 1,
      at: 't',
    });
    const shellLine = JSON.stringify({
      t: 'call',
      key: 'k3',
      step: 'r',
      kind: 'run',
      result: { exitCode: 0, stdout: '', stderr: '' },
      ms: 1,
      at: 't',
    });
    const read = parseJournal([header, newLine, oldLine, shellLine, ''].join('\n'), 'j');
    expect(read.problems).toEqual([]);
    expect(read.calls.get('k1')).toMatchObject({ model: 'from-result', usage });
    expect(read.calls.get('k2')).toMatchObject({ model: 'from-line', usage });
    expect(read.calls.get('k3')?.usage).toBeUndefined();
    expect(read.calls.get('k3')?.model).toBeUndefined();
  });
});
