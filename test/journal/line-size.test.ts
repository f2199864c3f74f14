// One copy of everything in a journal: an agent's model and usage live in its result, and an attempt does
// not repeat the inputs and outputs of the one before. Journals written before still read and replay the same.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAttempt } from '../../src/attempt.js';
import { parseJournal, readJournalFile } from '../../src/journal/reader.js';
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

  it('a resume of a finished run repeats neither its inputs nor its outputs, and the reader restores them', async () => {
    const workflow = load(`
name: tour
inputs:
  items: { type: array, default: [one, two, three] }
steps:
  - id: echo
    for-each: \${{ inputs.items }}
    run: echo "$ITEM"
    env: { ITEM: "\${{ item }}" }
outputs:
  lines: \${{ steps.echo.outputs.*.lines[0] }}
`);
    const dir = mkdtempSync(join(tmpdir(), 'reprise-line-size-'));
    const journalPath = join(dir, 'journal.jsonl');
    const attempt = async (given?: Record<string, unknown>) =>
      runAttempt({
        workflow,
        runId: 'r',
        journalPath,
        previous: await readJournalFile(journalPath),
        given: given && { values: given, fromStrings: false },
        workspace: dir,
        env: { PATH: process.env.PATH },
      });
    await attempt();
    const size = readFileSync(journalPath, 'utf8').length;
    const again = await attempt();
    expect(again.result.calls.replayed).toBe(3);
    const lines = readFileSync(journalPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const [header2, end2] = [lines.filter((e) => e.t === 'run')[1], lines.filter((e) => e.t === 'end')[1]];
    expect(header2).not.toHaveProperty('inputs');
    expect(end2).not.toHaveProperty('outputs');
    expect(readFileSync(journalPath, 'utf8').length - size).toBeLessThan(size / 2);

    const read = await readJournalFile(journalPath);
    expect(read.runs.map((run) => run.inputs)).toEqual([
      { items: ['one', 'two', 'three'] },
      { items: ['one', 'two', 'three'] },
    ]);
    const ends = read.events.filter((event) => event.t === 'end');
    expect(ends.map((end) => end.outputs)).toEqual([
      { lines: ['one', 'two', 'three'] },
      { lines: ['one', 'two', 'three'] },
    ]);

    // New inputs are written again, with the outputs they lead to.
    await attempt({ items: ['four'] });
    const third = (await readJournalFile(journalPath)).runs[2];
    expect(third?.inputs).toEqual({ items: ['four'] });
    const last = readFileSync(journalPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .at(-1);
    expect(last).toMatchObject({ t: 'end', outputs: { lines: ['four'] } });
  });
});
