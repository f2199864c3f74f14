// What a person sees while a run goes: live and failed calls one line each, replayed calls one line per step.
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../src/report/progress.js';
import type { CallReport } from '../../src/engine/types.js';

function recorder() {
  let text = '';
  const writes: string[] = [];
  return {
    out: {
      write: (chunk: string) => (writes.push(chunk), (text += chunk), true),
    } as NodeJS.WritableStream,
    text: () => text,
    writes,
  };
}

const usage = { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, costUsd: 0.001 };
const replayed = (item: number): CallReport => ({
  step: 'review',
  item,
  kind: 'agent',
  key: `k${item}`,
  status: 'replayed',
  ms: 0,
  usage,
  model: 'm',
});

describe('progress lines', () => {
  it('tell the replayed calls of a step in one line, with what they saved', () => {
    const { out, text } = recorder();
    const progress = new ProgressReporter({ out, bar: false });
    progress.stepStarted('review', { kind: 'agent', items: 3 });
    for (const item of [0, 1, 2]) progress.callFinished(replayed(item));
    progress.callFinished({ ...replayed(3), status: 'live', ms: 1200 });
    progress.stepFinished('review');
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {2}live +review\[3\]/);
    expect(lines[1]).toMatch(/^ {2}replayed +review +3 calls/);
    expect(lines[1]).toContain('300');
  });

  it('with verbose, print every replayed call', () => {
    const { out, text } = recorder();
    const progress = new ProgressReporter({ out, bar: false, verbose: true });
    for (const item of [0, 1, 2]) progress.callFinished(replayed(item));
    progress.stepFinished('review');
    expect(text().trimEnd().split('\n')).toHaveLength(3);
  });

  it('tell replays still untold when the run stops mid-step', () => {
    const { out, text } = recorder();
    const progress = new ProgressReporter({ out, bar: false });
    progress.callFinished(replayed(0));
    progress.stop();
    expect(text()).toMatch(/replayed +review +1 call\b/);
  });

  it('with batch, write the lines of one turn of the event loop together, in order, and the rest at stop', async () => {
    const { out, text, writes } = recorder();
    const progress = new ProgressReporter({ out, bar: false, batch: true });
    for (const item of [0, 1, 2]) progress.callFinished({ ...replayed(item), status: 'live', ms: 5 });
    progress.warning('slow provider');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    expect(text().trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^ {2}live +review\[0\]/),
      expect.stringMatching(/^ {2}live +review\[1\]/),
      expect.stringMatching(/^ {2}live +review\[2\]/),
      'warning: slow provider',
    ]);
    progress.callFinished({ ...replayed(3), status: 'live', ms: 5 });
    progress.callFinished(replayed(4));
    progress.stop();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatch(/^ {2}live +review\[3\].*\n {2}replayed +review +1 call\b/s);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(2);
  });

  it('without batch, write each line as it comes', () => {
    const { out, writes } = recorder();
    const progress = new ProgressReporter({ out, bar: false });
    for (const item of [0, 1]) progress.callFinished({ ...replayed(item), status: 'live', ms: 5 });
    expect(writes).toHaveLength(2);
  });
});
