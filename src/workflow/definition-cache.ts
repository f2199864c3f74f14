// Checked workflow definitions, kept in the user's cache directory as a compiler keeps what it compiled.
// Checking a workflow (YAML, the JSON Schema of the language, the semantic checks, called files) is the same
// work for the same bytes, and on a resume it was about a tenth of what the CLI did before its first
// replayed call. An entry is used only for the same reprise, the same file (as given and resolved) with the
// same bytes, and called files (`uses:`) whose bytes are still those it was checked with; anything else, or
// an entry that does not read back, is checked again from the file. The directory is the user's own, never
// the project's: a definition is what runs, so a repository must not be able to ship one that differs from
// the YAML a reviewer read.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { loadJsonSchemaSupport, needsJsonSchema } from './json-schema-support.js';
import { scriptHash, type LoadResult } from './load-result.js';
import type { Problem, StepDef, WorkflowDef } from './types.js';

/** Bumped when what an entry holds changes shape. */
const ENTRY_VERSION = 1;
/** Entries kept: each edit of a workflow makes one, and the oldest go first. */
export const ENTRIES_KEPT = 64;

interface Entry {
  v: number;
  workflow: WorkflowDef;
  warnings?: Problem[];
}

export interface CachedLoad {
  result: LoadResult;
  /** Keeps a definition that was checked from its file (a no-op when it came from the cache): call it once the run exists. */
  remember: () => Promise<void>;
}

/**
 * `loadWorkflowFile(file)`, from `dir` when it holds this file's checked definition. Nothing is written
 * until `remember` is called, so a command rejected later (bad inputs) leaves nothing behind.
 */
export async function loadWorkflowCached(file: string, dir: string): Promise<CachedLoad> {
  let bytes: Buffer | undefined;
  try {
    bytes = readFileSync(file);
  } catch {
    // loadWorkflowFile says what is wrong with the file.
  }
  const hash = bytes && scriptHash(bytes);
  const path = hash && join(dir, `${entryName(file, hash)}.json`);
  const cached = path && readEntry(path);
  if (cached) {
    if (needsJsonSchema(cached.workflow)) await loadJsonSchemaSupport();
    const result = {
      workflow: cached.workflow,
      problems: [],
      ...(cached.warnings && { warnings: cached.warnings }),
    };
    return { result, remember: async () => {} };
  }
  // The loader (with the YAML library and the schema validator) only when the file must be checked.
  const { loadWorkflowFile } = await import('./loader.js');
  const result = await loadWorkflowFile(file);
  const { workflow } = result;
  // Kept only when what was checked is the bytes the entry is named after (the file may change meanwhile).
  const keep = path && workflow && result.problems.length === 0 && workflow.scriptHash === hash;
  return {
    result,
    remember: async () => {
      if (!keep) return;
      const entry: Entry = {
        v: ENTRY_VERSION,
        workflow,
        ...(result.warnings && { warnings: result.warnings }),
      };
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // Written aside and renamed: a reader sees a whole entry or none.
        const temporary = `${path}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(entry));
        await rename(temporary, path);
        await forgetOldest(dir);
      } catch {
        // A cache: a run does not fail for want of one.
      }
    },
  };
}

/**
 * Where checked definitions are kept: `$REPRISE_CACHE_DIR/workflows`, else the platform's cache directory
 * (`$XDG_CACHE_HOME` or `~/.cache`, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) under
 * `reprise/workflows`. Undefined (no cache) when `REPRISE_CACHE_DIR` is set empty or there is no home.
 */
export function definitionCacheDir(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const own = env['REPRISE_CACHE_DIR'];
  if (own !== undefined) return own === '' ? undefined : join(own, 'workflows');
  let base: string | undefined;
  if (env['XDG_CACHE_HOME']) base = env['XDG_CACHE_HOME'];
  else if (process.platform === 'win32') base = env['LOCALAPPDATA'];
  else {
    let home: string;
    try {
      home = homedir();
    } catch {
      return undefined;
    }
    if (!home) return undefined;
    base = process.platform === 'darwin' ? join(home, 'Library', 'Caches') : join(home, '.cache');
  }
  return base ? join(base, 'reprise', 'workflows') : undefined;
}

/**
 * What an entry is named after: this reprise, the file as given and as resolved, and its bytes (their hash). "This
 * reprise" is its version and the URL of this module: in the bundle that names the chunk by a hash of its
 * code, so a build of other code under the same version (a developer's, a test run's) checks afresh.
 */
function entryName(file: string, scriptHash: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify([ENTRY_VERSION, packageJson.version, import.meta.url, file, resolve(file), scriptHash]),
    )
    .digest('hex');
}

/** The entry at `path` when it reads back whole and every file it was checked with is unchanged. */
function readEntry(path: string): Entry | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(path, 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (entry?.v !== ENTRY_VERSION || typeof entry.workflow !== 'object' || entry.workflow === null)
    return undefined;
  return calleesUnchanged(entry.workflow.steps) ? entry : undefined;
}

/** Whether each called file (`uses:`, at any depth) still has the bytes its definition was checked from. */
function calleesUnchanged(steps: StepDef[] | undefined): boolean {
  if (!Array.isArray(steps)) return false;
  for (const step of steps) {
    if ((step.kind === 'parallel' || step.kind === 'repeat') && !calleesUnchanged(step.steps)) return false;
    if (step.kind !== 'uses') continue;
    const callee = step.callee;
    if (!callee) return false;
    let bytes: Buffer;
    try {
      bytes = readFileSync(callee.file);
    } catch {
      return false;
    }
    if (scriptHash(bytes) !== callee.scriptHash || !calleesUnchanged(callee.steps)) return false;
  }
  return true;
}

/** Removes the entries beyond the newest ENTRIES_KEPT (by when they were written). */
async function forgetOldest(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  if (names.length <= ENTRIES_KEPT) return;
  const written = await Promise.all(
    names.map(async (name) => ({ name, at: (await stat(join(dir, name))).mtimeMs })),
  );
  written.sort((a, b) => b.at - a.at);
  await Promise.all(written.slice(ENTRIES_KEPT).map(({ name }) => rm(join(dir, name), { force: true })));
}
