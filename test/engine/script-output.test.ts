// What run steps print: stderr (and stdout with `log: true`) live, workflow commands passed to the
// runner and kept out of outputs, `::add-mask::` values redacted everywhere after.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionObserver } from '../../src/action/observer.js';
import type { ActionHost } from '../../src/action/host.js';
import { parseWorkflowCommand, withoutCommands } from '../../src/agents/workflow-commands.js';
import { runAttempt } from '../../src/attempt.js';
import { emptyJournalRead } from '../../src/journal/reader.js';
import { ProgressReporter } from '../../src/report/progress.js';
import { requestSummary } from '../../src/engine/script-output.js';
import type { PlannedCall } from '../../src/engine/plan.js';
import type { RunObserver } from '../../src/engine/types.js';
import { load } from './harness.js';

const workflow = load(`
name: commands
steps:
  - id: list
    run: |
      echo "::notice file=src/a.ts,line=3,title=Heads up::look%0Ahere"
      echo "::add-mask::hunter2"
      echo "first"
      echo "::group::Details"
      echo "the secret is hunter2"
      echo "::endgroup::"
      echo "progress on stderr" >&2
      echo "::warning::from stderr" >&2
  - id: each
    for-each: \${{ steps.list.outputs.lines }}
    log: true
    run: echo "item $ITEM"
    env: { ITEM: "\${{ item }}" }
outputs:
  lines: \${{ steps.list.outputs.lines }}
`);

async function attempt(observer: RunObserver, onSecret?: (value: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-cmd-'));
  const journalPath = join(dir, 'journal.jsonl');
  const { result } = await runAttempt({
    workflow,
    runId: 'r',
    journalPath,
    previous: emptyJournalRead(journalPath),
    workspace: dir,
    env: { PATH: process.env.PATH },
    observer,
    onSecret,
  });
  return { result, journal: readFileSync(journalPath, 'utf8') };
}

function fakeRunner(): { host: ActionHost; stdout: string[]; masked: string[] } {
  const stdout: string[] = [];
  const masked: string[] = [];
  const host = {
    env: {},
    info: (line: string) => stdout.push(line),
    warning: (line: string) => stdout.push(`::warning::${line}`),
    error: (line: string) => stdout.push(`::error::${line}`),
    startGroup: (name: string) => stdout.push(`::group::${name}`),
    endGroup: () => stdout.push('::endgroup::'),
    setSecret: (value: string) => masked.push(value),
  } as unknown as ActionHost;
  return { host, stdout, masked };
}

describe('run-step output and workflow commands', () => {
  it('reach the runner as printed, never the lines output; add-mask values are redacted', async () => {
    const runner = fakeRunner();
    const { result, journal } = await attempt(new ActionObserver(runner.host), (v) =>
      runner.host.setSecret(v),
    );
    expect(result.status).toBe('succeeded');
    expect(result.outputs.lines).toEqual(['first', 'the secret is ***']);
    expect(result.steps.find((s) => s.id === 'each')?.calls.live).toBe(2);
    expect(runner.stdout).toEqual(
      expect.arrayContaining([
        '::notice file=src/a.ts,line=3,title=Heads up::look%0Ahere',
        '::group::Details',
        '::endgroup::',
        '::warning::from stderr',
        'list | progress on stderr',
        'each[0] | item first',
        'each[1] | item the secret is ***',
      ]),
    );
    // The step's own output sits inside the group the observer opened for it.
    const open = runner.stdout.indexOf('::group::list');
    expect(open).toBeGreaterThanOrEqual(0);
    expect(runner.stdout.indexOf('list | progress on stderr')).toBeGreaterThan(open);
    expect(runner.masked).toEqual(['hunter2']);
    expect(runner.stdout.join('\n')).not.toContain('hunter2');
    expect(journal).not.toContain('hunter2');
    // The script's text (the call's request summary) shows the command; its recorded output never does.
    const results = journal
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { t: string; result?: unknown })
      .filter((event) => event.t === 'call')
      .map((event) => JSON.stringify(event.result));
    expect(results.join('\n')).not.toMatch(/::(notice|group|endgroup|warning|add-mask)/);
  });

  it('the CLI shows stderr, commands and (with log: true) stdout, prefixed with step and item', async () => {
    let text = '';
    const out = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
    await attempt(new ProgressReporter({ out, bar: false }));
    expect(text).toContain('  list | notice (src/a.ts:3): Heads up: look\nhere');
    expect(text).toContain('  list | warning: from stderr');
    expect(text).toContain('  list | progress on stderr');
    expect(text).toContain('  list | ▸ Details');
    expect(text).toContain('  each[1] | item the secret is ***');
    // stdout of a step without log: true stays quiet.
    expect(text).not.toContain('| first');
    expect(text).not.toContain('hunter2');
  });

  it('parses commands and leaves other text byte for byte', () => {
    expect(parseWorkflowCommand('::error file=a%2Cb.ts,line=1::bad%25')).toMatchObject({
      name: 'error',
      properties: { file: 'a,b.ts', line: '1' },
      message: 'bad%',
    });
    expect(parseWorkflowCommand('::set-env name=x::y')).toBeUndefined();
    expect(parseWorkflowCommand('a ::notice::b')).toBeUndefined();
    expect(withoutCommands('a\n::notice::x\r\nb\n::endgroup::')).toBe('a\nb\n');
    expect(withoutCommands('no newline at end')).toBe('no newline at end');
  });
});

describe('request summaries', () => {
  const summary = (prompt: string) => requestSummary({ agent: { prompt } } as PlannedCall);
  // What the summary is: the whole request with its whitespace collapsed, cut to 200 characters.
  const collapsedWhole = (prompt: string) => {
    const line = prompt.replace(/\s+/g, ' ').trim();
    return line.length > 200 ? `${line.slice(0, 199)}…` : line;
  };

  it('of a long request are those of the whole request, whatever its whitespace', () => {
    const piece = fc.constantFrom(
      'a',
      'word ',
      ' ',
      '  ',
      '\n',
      '\t\n ',
      'é',
      ' '.repeat(300),
      'x'.repeat(150),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), (pieces) => {
        const prompt = pieces.join('');
        expect(summary(prompt)).toBe(collapsedWhole(prompt));
      }),
      { numRuns: 2000 },
    );
    const long = `  review\n\n${'this  file\t'.repeat(5000)}`;
    expect(summary(long)).toBe(collapsedWhole(long));
    expect(summary(long)).toHaveLength(200);
  });
});
