// Checked workflow definitions kept in the user's cache directory (src/workflow/definition-cache.ts): an entry stands for
// a check of the same bytes only, and a definition read back is the one a check makes.
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRIES_KEPT, definitionCacheDir, loadWorkflowCached } from '../../src/workflow/definition-cache.js';
import { loadWorkflowFile } from '../../src/workflow/loader.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');

function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-defs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const CALLER = `name: caller
steps:
  - id: inner
    uses: ./callee.yml
`;
const CALLEE = (prompt: string) => `name: callee
steps:
  - id: say
    agent: { provider: openai, model: gpt-4o-mini, prompt: "${prompt}" }
`;

describe('checked workflow definitions', () => {
  it('reads back, for every shipped example, the definition and warnings a check makes', async () => {
    const cache = scratch();
    const files = readdirSync(EXAMPLES).filter((name) => name.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(5);
    for (const name of files) {
      const file = join(EXAMPLES, name);
      const checked = await loadWorkflowFile(file);
      expect(checked.problems, name).toEqual([]);
      const first = await loadWorkflowCached(file, cache);
      await first.remember();
      const again = await loadWorkflowCached(file, cache);
      expect(again.result, name).toEqual(checked);
      // From the entry: its `remember` has nothing to keep.
      expect(again.result.workflow, name).not.toBe(first.result.workflow);
    }
    expect(readdirSync(cache)).toHaveLength(files.length);
  });

  it('writes nothing until remembered, and is checked again when the file or a called file changes', async () => {
    const dir = scratch({ 'caller.yml': CALLER, 'callee.yml': CALLEE('first') });
    const cache = join(dir, 'cache');
    const file = join(dir, 'caller.yml');
    const first = await loadWorkflowCached(file, cache);
    expect(() => readdirSync(cache)).toThrow();
    await first.remember();
    expect(readdirSync(cache)).toHaveLength(1);
    const promptOf = async () => {
      const { result } = await loadWorkflowCached(file, cache);
      const step = result.workflow!.steps[0]!;
      if (step.kind !== 'uses' || step.callee?.steps[0]?.kind !== 'agent')
        throw new Error('unexpected shape');
      return step.callee.steps[0].agent.prompt;
    };
    expect(await promptOf()).toBe('first');
    // The caller's bytes are the same: only the called file's check can tell.
    writeFileSync(join(dir, 'callee.yml'), CALLEE('second'));
    expect(await promptOf()).toBe('second');
    writeFileSync(file, `${CALLER}description: edited\n`);
    expect((await loadWorkflowCached(file, cache)).result.workflow?.description).toBe('edited');
  });

  it('ignores an entry that does not read back, and never keeps a workflow with problems', async () => {
    const dir = scratch({ 'wf.yml': CALLEE('hello'), 'bad.yml': 'name: bad\nsteps: 3\n' });
    const cache = join(dir, 'cache');
    const file = join(dir, 'wf.yml');
    await (await loadWorkflowCached(file, cache)).remember();
    const [entry] = readdirSync(cache);
    writeFileSync(join(cache, entry!), readFileSync(join(cache, entry!), 'utf8').slice(0, 40));
    const { result } = await loadWorkflowCached(file, cache);
    expect(result).toEqual(await loadWorkflowFile(file));
    const bad = await loadWorkflowCached(join(dir, 'bad.yml'), cache);
    expect(bad.result.problems.length).toBeGreaterThan(0);
    await bad.remember();
    expect(readdirSync(cache)).toHaveLength(1);
  });

  it(`keeps the newest ${ENTRIES_KEPT} entries`, async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    const file = join(dir, 'wf.yml');
    for (let version = 0; version <= ENTRIES_KEPT; version++) {
      writeFileSync(file, CALLEE(`version ${version}`));
      await (await loadWorkflowCached(file, cache)).remember();
      // Written a second apart, as far as the file system can tell.
      for (const name of readdirSync(cache)) {
        const at = new Date(Date.now() - (ENTRIES_KEPT + 1 - version) * 1000);
        if (readFileSync(join(cache, name), 'utf8').includes(`version ${version}"`))
          utimesSync(join(cache, name), at, at);
      }
    }
    const kept = readdirSync(cache);
    expect(kept).toHaveLength(ENTRIES_KEPT);
    expect(kept.some((name) => readFileSync(join(cache, name), 'utf8').includes('version 0"'))).toBe(false);
  });
});

describe('the cache directory', () => {
  it("is REPRISE_CACHE_DIR's, else the platform's cache directory, and none when REPRISE_CACHE_DIR is empty", () => {
    expect(definitionCacheDir({ REPRISE_CACHE_DIR: '/c' })).toBe(join('/c', 'workflows'));
    expect(definitionCacheDir({ REPRISE_CACHE_DIR: '' })).toBeUndefined();
    if (process.platform === 'linux') {
      expect(definitionCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'reprise', 'workflows'));
      expect(definitionCacheDir({})).toBe(join(homedir(), '.cache', 'reprise', 'workflows'));
    }
  });
});
