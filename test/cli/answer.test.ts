// `reprise answer` on a run whose one step path has several open questions (asks of a called workflow
// fanned out): --key picks one; without it the command names the keys and writes nothing.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answerCommand } from '../../src/cli/answer.js';
import { lines, runEvent } from '../journal/events.js';

const question = (key: string, text: string) => ({
  step: 'each/ok',
  key,
  question: text,
  answerSchema: { type: 'boolean' },
});

function setUp(): { cwd: string; journal: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'reprise-answer-'));
  const runDir = join(cwd, '.reprise/runs/r1');
  mkdirSync(runDir, { recursive: true });
  const journal = join(runDir, 'journal.jsonl');
  writeFileSync(
    journal,
    lines(runEvent({ runId: 'r1' }), {
      t: 'end',
      status: 'waiting',
      questions: [question('sha256:aaaa1111', 'Publish a?'), question('sha256:bbbb2222', 'Publish b?')],
      at: 'x',
    }),
  );
  return { cwd, journal };
}

const io = (cwd: string) => ({ out: new PassThrough(), err: new PassThrough(), cwd, env: {} });

describe('reprise answer --key', () => {
  it('asks for --key when one step has several open questions, and answers the one it names', async () => {
    const { cwd, journal } = setUp();
    const before = readFileSync(journal, 'utf8');
    await expect(
      answerCommand('r1', 'each/ok', 'true', { runsDir: '.reprise/runs' }, io(cwd)),
    ).rejects.toThrow(/has 2 open questions; name one with --key: sha256:aaaa1111/);
    expect(readFileSync(journal, 'utf8')).toBe(before);
    const code = await answerCommand(
      'r1',
      'each/ok',
      'false',
      { runsDir: '.reprise/runs', key: 'sha256:bbbb' },
      io(cwd),
    );
    expect(code).toBe(0);
    const last = JSON.parse(readFileSync(journal, 'utf8').trim().split('\n').at(-1)!) as Record<
      string,
      unknown
    >;
    expect(last).toMatchObject({ t: 'answer', key: 'sha256:bbbb2222', step: 'each/ok', value: false });
  });
});
