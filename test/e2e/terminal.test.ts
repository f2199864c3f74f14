// The CLI under a real pseudo-terminal (tmux) and behind a closed pipe (`| head -1`).
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

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe('a run at a terminal', () => {
  it.skipIf(!hasTmux)(
    'keeps every call line, draws the bar below them, and leaves the final table intact',
    async () => {
      const dir = workspace({ 'w.yml': FAN_OUT });
      const socket = `reprise-test-${process.pid}`;
      const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
      // 15 rows: the 32 call lines overflow the screen, the case that used to garble the end.
      tmux(
        'new-session',
        '-d',
        '-x',
        '100',
        '-y',
        '15',
        `cd ${dir} && ${process.execPath} ${CLI} run w.yml --run-id t; echo EXIT=$?; sleep 120`,
      );
      try {
        let screen = '';
        for (let wait = 0; wait < 240 && !/^EXIT=/m.test(screen); wait++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          screen = tmux('capture-pane', '-p', '-S', '-', '-E', '-').stdout;
        }
        const lines = screen.split('\n').map((line) => line.trimEnd());
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
            'run t: succeeded in ' + (/run t: succeeded in (\S+)/.exec(screen)?.[1] ?? '?'),
            '  calls: 32 live, 0 replayed, 0 failed, 0 skipped',
          ]),
        );
        // The bar is gone at the end, and nothing else was drawn over.
        expect(screen).not.toContain('█');
        expect(screen).not.toContain('░');
      } finally {
        tmux('kill-server');
      }
    },
  );
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
