// The CLI under a real pseudo-terminal (`script`) and behind a closed pipe (`| head -1`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cli, journalLines, workspace } from './cli-helpers.js';

const FAN_OUT = `
name: fan
steps:
  - id: each
    for-each: \${{ fromJSON('[${Array.from({ length: 32 }, (_, index) => index).join(',')}]') }}
    concurrency: 2
    run: echo "item $N"; sleep 0.05
    env: { N: "\${{ item }}" }
`;

/**
 * What a terminal of `rows` rows shows, scrollback included, after a program wrote `bytes` to it: text,
 * CR/LF, and the sequences a progress bar uses (cursor column, up/down, save/restore, erase line/screen).
 * A saved cursor position is a row of the screen, so it lands elsewhere once the screen has scrolled.
 */
function render(bytes: string, rows: number): string[] {
  const lines = [''];
  let row = 0;
  let col = 0;
  let saved = 0;
  const top = () => Math.max(0, lines.length - rows);
  // eslint-disable-next-line no-control-regex
  const tokens = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b([78])|\r|\n|[^\x1b\r\n]+/g;
  for (const [token, params = '', command, dec] of bytes.matchAll(tokens)) {
    const n = Number(params || 1);
    if (token === '\r') col = 0;
    else if (token === '\n') {
      row++;
      if (row === lines.length) lines.push('');
    } else if (dec === '7') saved = row - top();
    else if (dec === '8') row = Math.min(lines.length - 1, top() + saved);
    else if (command === 'G') col = n - 1;
    else if (command === 'A') row = Math.max(top(), row - n);
    else if (command === 'B') row = Math.min(lines.length - 1, row + n);
    else if (command === 'K') lines[row] = params === '2' ? '' : lines[row]!.slice(0, col);
    else if (command === 'J') {
      lines[row] = lines[row]!.slice(0, col);
      lines.length = row + 1;
    } else if (command === undefined) {
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + token + line.slice(col + token.length);
      col += token.length;
    }
  }
  return lines.map((line) => line.trimEnd());
}

describe('a run at a terminal', () => {
  it('keeps every call line, draws the bar below them, and leaves the final table intact', () => {
    const dir = workspace({ 'w.yml': FAN_OUT });
    // A real pseudo-terminal (`script` from util-linux) of 15 rows: the 32 call lines overflow the
    // screen, the case that used to garble the end.
    const command = `stty rows 15 cols 100; "${process.execPath}" "${CLI}" run w.yml --run-id t; echo EXIT=$?`;
    const ran = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TERM: 'xterm' },
    });
    expect(ran.stdout).toContain('█'); // the CLI saw a terminal and drew its bar
    const lines = render(ran.stdout, 15);
    const exit = lines.findIndex((line) => line.startsWith('EXIT='));
    expect(lines[exit]).toBe('EXIT=0');
    const table = lines.findIndex((line) => /^step\s+status\s+live/.test(line));
    expect(table).toBeGreaterThan(0);
    for (let item = 0; item < 32; item++) {
      const at = lines.findIndex((line) => new RegExp(`^  live\\s+each\\[${item}\\]\\s`).test(line));
      expect(at, `line of item ${item}`).toBeGreaterThan(0);
      expect(at).toBeLessThan(table);
    }
    expect(lines.slice(table, exit)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^each\s+succeeded\s+32\s+0\s+0/),
        expect.stringMatching(/^run t: succeeded in \S+$/),
        '  calls: 32 live, 0 replayed, 0 failed, 0 skipped',
      ]),
    );
    // The bar is gone at the end, and nothing else was drawn over.
    expect(lines.join('\n')).not.toMatch(/[█░]/);
  });
});

describe('a run whose output is closed', () => {
  it('`| head -1` ends the run as cancelled, with its lock released and no stack trace', () => {
    const dir = workspace({ 'w.yml': FAN_OUT });
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" run w.yml --run-id p | head -1`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(piped.stdout).toBe('starting run p of fan\n');
    expect(piped.stderr).not.toMatch(/\n\s+at |EPIPE|Error/);
    expect(journalLines(dir, 'p').at(-1)).toMatchObject({ t: 'end', status: 'cancelled' });
    expect(readdirSync(join(dir, '.reprise/runs/p'))).not.toContain('lock');
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'p']);
    expect(resumed.code).toBe(0);
    expect(existsSync(join(dir, '.reprise/runs/p/result.json'))).toBe(true);
  });
});
