// The built-in, read-only workspace tools: read a file, list files by glob, search text. Every path is
// confined to the workspace: one that resolves outside it (through `..`, an absolute path or a symlink)
// is refused as a tool error.
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WORKSPACE_TOOLS } from '../../workflow/types.js';
import type { ToolOutcome } from '../types.js';
import { toolError, type Tool, type ToolContext } from './types.js';

export const WORKSPACE_TOOL_NAMES = WORKSPACE_TOOLS;
export type WorkspaceToolName = (typeof WORKSPACE_TOOLS)[number];

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_LISTED = 1000;
const MAX_MATCHES = 200;
/** Never listed or searched: version control internals and reprise's own journals. */
const SKIPPED_DIRS = new Set(['.git', '.reprise', 'node_modules']);

class Refused extends Error {}

/** The real path of `path` inside the workspace, or a refusal naming why. */
async function confined(workspace: string, path: string): Promise<{ real: string; shown: string }> {
  if (typeof path !== 'string' || path === '') throw new Refused('path is empty');
  const root = await realpath(workspace);
  const target = resolve(root, path);
  if (isAbsolute(path) || outside(root, target)) {
    throw new Refused(`path "${path}" is outside the workspace`);
  }
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new Refused(`path "${path}" does not exist`);
  }
  if (outside(root, real))
    throw new Refused(`path "${path}" leads outside the workspace (through a symlink)`);
  return { real, shown: relative(root, real).split(sep).join('/') || '.' };
}

function outside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

async function readText(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_FILE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_FILE_BYTES, 0);
    const bytes = buffer.subarray(0, bytesRead);
    return bytes.includes(0) ? undefined : bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Regular files under `dir` (relative to it), symlinks never followed. */
async function* walk(dir: string, prefix = ''): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* walk(join(dir, entry.name), rel);
    } else if (entry.isFile()) {
      yield rel;
    }
  }
}

/** Loaded by the tools that match globs, when they run: a run without them (or a replay) never loads it. */
async function loadMinimatch(): Promise<typeof import('minimatch').minimatch> {
  return (await import('minimatch')).minimatch;
}

async function readFileTool(args: Record<string, unknown>, workspace: string): Promise<ToolOutcome> {
  const { real, shown } = await confined(workspace, args['path'] as string);
  if (!(await stat(real)).isFile()) return toolError(`"${shown}" is not a file`);
  const text = await readText(real);
  if (text === undefined) return toolError(`"${shown}" is a binary file`);
  const lines = text.split('\n');
  const from = typeof args['start_line'] === 'number' ? Math.max(1, args['start_line']) : 1;
  const to = typeof args['end_line'] === 'number' ? Math.min(lines.length, args['end_line']) : lines.length;
  return { content: lines.slice(from - 1, to).join('\n'), isError: false };
}

async function listFilesTool(args: Record<string, unknown>, workspace: string): Promise<ToolOutcome> {
  const { real, shown } = await confined(workspace, (args['path'] as string | undefined) ?? '.');
  if (!(await stat(real)).isDirectory()) return toolError(`"${shown}" is not a directory`);
  const pattern = (args['pattern'] as string | undefined) ?? '**';
  const minimatch = await loadMinimatch();
  const found: string[] = [];
  let more = false;
  for await (const file of walk(real)) {
    if (!minimatch(file, pattern, { dot: true })) continue;
    if (found.length === MAX_LISTED) {
      more = true;
      break;
    }
    found.push(shown === '.' ? file : `${shown}/${file}`);
  }
  if (more) found.push(`(more than ${MAX_LISTED} files: narrow the pattern)`);
  return { content: found.length > 0 ? found.join('\n') : '(no files match)', isError: false };
}

async function searchTextTool(args: Record<string, unknown>, workspace: string): Promise<ToolOutcome> {
  let regex: RegExp;
  try {
    regex = new RegExp(args['pattern'] as string, args['ignore_case'] === true ? 'i' : '');
  } catch (error) {
    return toolError(`pattern is not a valid regular expression: ${(error as Error).message}`);
  }
  const { real, shown } = await confined(workspace, (args['path'] as string | undefined) ?? '.');
  const glob = args['glob'] as string | undefined;
  const minimatch = await loadMinimatch();
  const files = (await stat(real)).isFile() ? [''] : walk(real);
  const matches: string[] = [];
  for await (const file of files) {
    if (glob !== undefined && file !== '' && !minimatch(file, glob, { dot: true, matchBase: true })) continue;
    const path = file === '' ? real : join(real, file);
    const text = (await stat(path)).size <= MAX_FILE_BYTES ? await readText(path) : undefined;
    if (text === undefined) continue;
    const name = file === '' ? shown : shown === '.' ? file : `${shown}/${file}`;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!regex.test(lines[i] ?? '')) continue;
      if (matches.length === MAX_MATCHES) {
        matches.push(`(more than ${MAX_MATCHES} matches: narrow the pattern or the path)`);
        return { content: matches.join('\n'), isError: false };
      }
      matches.push(`${name}:${i + 1}: ${lines[i]}`);
    }
  }
  return { content: matches.length > 0 ? matches.join('\n') : '(no matches)', isError: false };
}

const SPECS: Record<WorkspaceToolName, { description: string; parameters: Record<string, unknown> }> = {
  read_file: {
    description:
      'Read a text file of the workspace (the repository). Optional 1-based start_line and end_line select a range.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Path relative to the workspace root.' },
        start_line: { type: 'integer', minimum: 1 },
        end_line: { type: 'integer', minimum: 1 },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },
  list_files: {
    description:
      'List the files of the workspace whose path matches a glob (e.g. "src/**/*.ts"); .git and node_modules are left out.',
    parameters: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'Glob relative to `path`; default "**" (every file).' },
        path: {
          type: 'string',
          description: 'Directory to list, relative to the workspace root; default ".".',
        },
      },
      additionalProperties: false,
    },
  },
  search_text: {
    description:
      'Search the text files of the workspace for a regular expression; answers path:line: text for each matching line.',
    parameters: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'A JavaScript regular expression.' },
        path: {
          type: 'string',
          description: 'File or directory to search, relative to the workspace root; default ".".',
        },
        glob: { type: 'string', description: 'Only files matching this glob, e.g. "*.md".' },
        ignore_case: { type: 'boolean' },
      },
      required: ['pattern'],
      additionalProperties: false,
    },
  },
};

const RUN: Record<
  WorkspaceToolName,
  (args: Record<string, unknown>, workspace: string) => Promise<ToolOutcome>
> = {
  read_file: readFileTool,
  list_files: listFilesTool,
  search_text: searchTextTool,
};

export function isWorkspaceTool(name: string): name is WorkspaceToolName {
  return (WORKSPACE_TOOL_NAMES as readonly string[]).includes(name);
}

export function workspaceTool(name: WorkspaceToolName): Tool {
  return {
    spec: { name, ...SPECS[name] },
    identity: { type: 'workspace', name },
    async invoke(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> {
      try {
        return await RUN[name](args, context.workspace);
      } catch (error) {
        if (error instanceof Refused) return toolError(error.message);
        const code = (error as NodeJS.ErrnoException).code;
        return toolError(`${name} failed: ${code ?? (error as Error).message}`);
      }
    },
  };
}
