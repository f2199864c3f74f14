// The published package as a user gets it: `npm pack`, installed from the tarball into an empty
// directory with an empty npm cache and no network, then `npx reprise` run there on a shipped example.
import { spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './cli-helpers.js';

const MB = 1024 * 1024;

function sh(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, ...options });
  return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, name) => total + sizeOf(join(path, name)), 0);
}

describe('the npm package', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'reprise-pack-'));
  const project = join(scratch, 'project');
  // An empty cache and --offline: installing must need nothing but the tarball.
  const env = {
    ...process.env,
    npm_config_cache: join(scratch, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
  let files: string[] = [];
  let tarball = '';

  beforeAll(() => {
    const packed = sh('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: REPO, env });
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((file) => file.path);
    tarball = join(scratch, info!.filename);
    sh('mkdir', ['-p', project], { cwd: scratch });
    const installed = sh('npm', ['install', tarball], { cwd: project, env });
    expect(installed.code, installed.stderr).toBe(0);
  });

  it('ships the bundle, its licenses and source maps, the action and the examples, and no sources or tests', () => {
    for (const shipped of [
      'dist/cli.js',
      'dist/index.js',
      'dist/post.js',
      'dist/licenses.txt',
      'dist/cli.js.map',
    ]) {
      expect(files).toContain(shipped);
    }
    for (const shipped of ['action.yml', 'LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) {
      expect(files).toContain(shipped);
    }
    expect(files).toContain('examples/language-tour.yml');
    expect(files.filter((file) => /^(src|test|bench|\.github|scripts|node_modules)\//.test(file))).toEqual(
      [],
    );
  });

  it('installs with no dependency and under 10 MB', () => {
    const modules = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(modules).toEqual(['reprise']);
    expect(sizeOf(join(project, 'node_modules/reprise'))).toBeLessThan(10 * MB);
    // No Node binary rides along to shadow the user's own.
    expect(readdirSync(join(project, 'node_modules/.bin'))).toEqual(['reprise']);
  });

  it('runs a shipped example with npx from the installing directory, and resumes it', () => {
    const example = join(project, 'node_modules/reprise/examples/language-tour.yml');
    const first = sh('npx', ['reprise', 'run', example, '--run-id', 'tour'], { cwd: project, env });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('run tour of language-tour');
    const again = sh('npx', ['reprise', 'run', example, '--resume', 'tour', '--json'], { cwd: project, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as {
      status: string;
      calls: { live: number; replayed: number };
    };
    expect(summary.status).toBe('succeeded');
    expect(summary.calls.live).toBe(0);
    expect(summary.calls.replayed).toBeGreaterThan(0);
  });
});
