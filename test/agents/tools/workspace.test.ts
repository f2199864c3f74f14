// The built-in workspace tools: read-only, and confined to the workspace.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { workspaceTool } from '../../../src/agents/tools/workspace.js';

// Created at load time: the table of refused paths below names a file outside.
const workspace = mkdtempSync(join(tmpdir(), 'reprise-ws-tools-'));
const outside = mkdtempSync(join(tmpdir(), 'reprise-outside-'));
beforeAll(() => {
  writeFileSync(join(outside, 'secret.txt'), 'do not read');
  mkdirSync(join(workspace, 'src', 'deep'), { recursive: true });
  mkdirSync(join(workspace, '.git'));
  writeFileSync(join(workspace, '.git', 'config'), 'TODO in git');
  writeFileSync(join(workspace, 'README.md'), '# title\nTODO: write\n');
  writeFileSync(join(workspace, 'src', 'a.ts'), 'const a = 1; // TODO\n');
  writeFileSync(join(workspace, 'src', 'deep', 'b.ts'), 'export const b = 2;\n');
  symlinkSync(join(outside, 'secret.txt'), join(workspace, 'link.txt'));
  symlinkSync(outside, join(workspace, 'linkdir'));
  symlinkSync(join(workspace, 'README.md'), join(workspace, 'inside-link.md'));
});

const call = (name: 'read_file' | 'list_files' | 'search_text', args: Record<string, unknown>) =>
  workspaceTool(name).invoke(args, { signal: new AbortController().signal, env: {}, workspace });

describe('read_file', () => {
  it('reads a file, or a range of its lines', async () => {
    expect(await call('read_file', { path: 'README.md' })).toEqual({
      content: '# title\nTODO: write\n',
      isError: false,
    });
    expect(await call('read_file', { path: './src/../README.md', start_line: 2, end_line: 2 })).toEqual({
      content: 'TODO: write',
      isError: false,
    });
  });

  it.each([
    ['../x', /outside the workspace/],
    [join(outside, 'secret.txt'), /outside the workspace/],
    ['link.txt', /leads outside the workspace \(through a symlink\)/],
    ['linkdir/secret.txt', /leads outside the workspace \(through a symlink\)/],
    ['missing.txt', /does not exist/],
    ['src', /is not a file/],
  ])('refuses %s as a tool error', async (path, message) => {
    const outcome = await call('read_file', { path });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toMatch(message);
    expect(outcome.content).not.toContain('do not read');
  });

  it('follows a symlink that stays inside', async () => {
    expect((await call('read_file', { path: 'inside-link.md' })).content).toContain('# title');
  });
});

describe('list_files and search_text', () => {
  it('lists by glob, without .git and without following symlinks', async () => {
    expect((await call('list_files', {})).content.split('\n')).toEqual([
      'README.md',
      'src/a.ts',
      'src/deep/b.ts',
    ]);
    expect((await call('list_files', { pattern: '**/*.ts', path: 'src' })).content).toBe(
      'src/a.ts\nsrc/deep/b.ts',
    );
    expect((await call('list_files', { path: 'linkdir' })).isError).toBe(true);
  });

  it('searches text with path:line answers, never outside', async () => {
    expect((await call('search_text', { pattern: 'todo', ignore_case: true })).content).toBe(
      'README.md:2: TODO: write\nsrc/a.ts:1: const a = 1; // TODO',
    );
    expect((await call('search_text', { pattern: 'TODO', glob: '*.md' })).content).toBe(
      'README.md:2: TODO: write',
    );
    expect((await call('search_text', { pattern: '(' })).isError).toBe(true);
    expect((await call('search_text', { pattern: 'read', path: '..' })).isError).toBe(true);
  });
});
