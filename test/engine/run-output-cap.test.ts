// A run step printing far more than the cap (issue 13): the run succeeds, the journal keeps only the first
// bytes, the whole stream is in a file in the run directory, and the result and a warning say so.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAttempt } from '../../src/attempt.js';
import { emptyJournalRead } from '../../src/journal/reader.js';
import { load } from './harness.js';

const PRINTED = 50_000_000;
const CAP = 64 * 1024;

const workflow = load(`
name: big
steps:
  - id: flood
    log: true
    run: |
      head -c ${PRINTED} /dev/zero | tr '\\0' a
      echo "small on stderr" >&2
outputs:
  text: \${{ steps.flood.outputs.stdout }}
  cut: \${{ steps.flood.outputs.cut }}
`);

async function attempt(spill: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-cap-'));
  const journalPath = join(dir, 'journal.jsonl');
  const warnings: string[] = [];
  let lines = 0;
  const { result } = await runAttempt({
    workflow,
    runId: 'r',
    journalPath,
    previous: emptyJournalRead(journalPath),
    workspace: dir,
    env: { PATH: process.env.PATH },
    observer: { warning: (message) => warnings.push(message), stepOutput: () => void lines++ },
    runOutput: { maxBytes: CAP, ...(spill && { dir }) },
  });
  return { result, journalPath, dir, warnings, lines };
}

describe('run-step output beyond the cap', () => {
  it('keeps the first bytes in the journal and writes the whole stream to the run directory', async () => {
    const { result, journalPath, dir, warnings, lines } = await attempt(true);
    expect(result.status).toBe('succeeded');
    expect(result.outputs.text).toBe('a'.repeat(CAP));
    const cut = result.outputs.cut as { stdout: { keptBytes: number; totalBytes: number; file: string } };
    expect(cut.stdout).toMatchObject({ keptBytes: CAP, totalBytes: PRINTED });
    expect(cut.stdout.file.startsWith(dir)).toBe(true);
    // The file holds the whole stream, not only what the journal lacks.
    expect(statSync(cut.stdout.file).size).toBe(PRINTED);
    expect(cut).not.toHaveProperty('stderr');
    for (const line of readFileSync(journalPath, 'utf8').split('\n')) {
      expect(line.length).toBeLessThan(4 * CAP);
    }
    expect(warnings).toEqual([
      expect.stringContaining(`step flood: stdout was cut at ${CAP} of ${PRINTED} bytes`),
    ]);
    expect(warnings[0]).toContain(cut.stdout.file);
    // Live logs see the output in bounded pieces, not one 50 MB line.
    expect(lines).toBeGreaterThan(PRINTED / (128 * 1024));
  });

  it('drops the rest when there is no run directory, and says so', async () => {
    const { result, warnings } = await attempt(false);
    expect(result.status).toBe('succeeded');
    expect((result.outputs.text as string).length).toBe(CAP);
    expect(result.outputs.cut).toEqual({ stdout: { keptBytes: CAP, totalBytes: PRINTED } });
    expect(warnings).toEqual([expect.stringContaining('the rest was dropped')]);
  });
});
