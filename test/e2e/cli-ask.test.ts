// Asks through the bundled CLI: a run waits (exit 3) with its questions, `reprise answer` answers them
// (refusing bad answers with nothing written), and the resumed run replays every finished call.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, journalLines, lastJson, workspace } from './cli-helpers.js';

const SHIP = (question: string) => `name: ship
steps:
  - id: build
    run: echo build >> calls.log && echo v1.2
  - id: approve
    ask:
      question: "${question} \${{ steps.build.outputs.lines[0] }}?"
      answer: boolean
  - id: notes
    ask: { question: "Release notes?", answer: string }
  - id: other
    run: echo other >> calls.log
  - id: ship
    if: steps.approve.outputs.answer
    run: echo "ship $NOTES" >> calls.log
    env: { NOTES: "\${{ steps.notes.outputs.answer }}" }
outputs:
  approved: \${{ steps.approve.outputs.answer }}
  notes: \${{ steps.notes.outputs.answer }}
`;

const calls = (dir: string) => readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');

describe('reprise ask steps', () => {
  it('waits with both questions, refuses a bad answer, takes false and "" as answers, replays the rest', () => {
    const dir = workspace({ 'ship.yml': SHIP('Ship') });
    const first = cli(dir, ['run', 'ship.yml', '--run-id', 'r1', '--json']);
    expect(first.code, first.stderr).toBe(3);
    const json = lastJson(first.stdout);
    expect(json.status).toBe('waiting');
    expect(json.questions).toEqual([
      {
        step: 'approve',
        key: expect.stringMatching(/^sha256:/),
        question: 'Ship v1.2?',
        'answer-schema': { type: 'boolean' },
      },
      expect.objectContaining({ step: 'notes', question: 'Release notes?' }),
    ]);
    expect(first.stderr).toContain('reprise answer r1 approve VALUE');
    expect(calls(dir)).toEqual(['build', 'other']); // what does not read the asks ran

    const before = journalLines(dir, 'r1').length;
    const bad = cli(dir, ['answer', 'r1', 'approve', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"maybe" is not a valid answer to approve (must be boolean)');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(journalLines(dir, 'r1')).toHaveLength(before);

    const answered = cli(dir, ['answer', 'r1', 'approve', 'false', '--by', 'octocat']);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toContain('still waiting for: notes');
    const listed = cli(dir, ['runs', 'ls']);
    expect(listed.stdout).toMatch(/r1\s+ship\s+waiting/);
    expect(listed.stdout).toContain('notes: Release notes?');
    expect(listed.stdout).not.toContain('approve: Ship');

    const resumed = cli(dir, ['run', 'ship.yml', '--resume', 'r1', '--answer', 'notes=', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({
      status: 'succeeded',
      outputs: { approved: false, notes: '' },
      calls: { replayed: 2, live: 2 },
    });
    expect(calls(dir)).toEqual(['build', 'other']); // replayed, not run again; ship skipped on false
    const ask = journalLines(dir, 'r1').find((e) => e.t === 'call' && e.step === 'approve');
    expect(ask).toMatchObject({ kind: 'ask', result: { answer: false, 'answered-by': 'octocat' } });
  });

  it('asks a changed question again, and refuses --answer values before running anything', () => {
    const dir = workspace({ 'ship.yml': SHIP('Ship') });
    expect(cli(dir, ['run', 'ship.yml', '--run-id', 'r1']).code).toBe(3);
    expect(cli(dir, ['answer', 'r1', 'approve', 'true']).code).toBe(0);
    writeFileSync(join(dir, 'ship.yml'), SHIP('Really ship'));
    const refused = cli(dir, [
      'run',
      'ship.yml',
      '--resume',
      'r1',
      '--answer',
      'notes=x',
      '--answer',
      'aprove=1',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no ask step "aprove" (did you mean "approve"?)');
    expect(journalLines(dir, 'r1').filter((e) => e.t === 'run')).toHaveLength(1);

    const again = cli(dir, ['run', 'ship.yml', '--resume', 'r1', '--answer', 'notes=x', '--json']);
    expect(again.code, again.stderr).toBe(3);
    expect(lastJson(again.stdout).questions).toEqual([
      expect.objectContaining({ step: 'approve', question: 'Really ship v1.2?' }),
    ]);
  });

  it('answers a fan-out ask per item', () => {
    const dir = workspace({
      'pick.yml': `name: pick
steps:
  - id: pick
    for-each: [red, green]
    ask: { question: "Keep \${{ item }}?", answer: { options: [keep, drop] } }
outputs:
  picks: \${{ join(steps.pick.outputs.*.answer, ',') }}
`,
    });
    expect(cli(dir, ['run', 'pick.yml', '--run-id', 'p']).code).toBe(3);
    const noItem = cli(dir, ['answer', 'p', 'pick', 'keep']);
    expect(noItem.code).toBe(2);
    expect(noItem.stderr).toContain('name the item with --item N');
    expect(cli(dir, ['answer', 'p', 'pick', 'drop', '--item', '1']).code).toBe(0);
    expect(cli(dir, ['answer', 'p', 'pick', 'keep', '--item', '0']).code).toBe(0);
    const done = cli(dir, ['run', 'pick.yml', '--resume', 'p', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(lastJson(done.stdout).outputs).toEqual({ picks: 'keep,drop' });
  });
});
