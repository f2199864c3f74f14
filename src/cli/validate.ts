// `reprise validate` and `reprise graph`.
import { isAbsolute, resolve } from 'node:path';
import { renderMermaid } from '../workflow/graph.js';
import { loadWorkflowCached } from '../workflow/definition-cache.js';
import { formatProblem, type LoadResult } from '../workflow/load-result.js';
import { calleeSteps } from '../engine/uses.js';
import { unpricedModels } from '../engine/prices.js';
import { didYouMean } from '../workflow/suggest.js';
import type { WorkflowDef } from '../workflow/types.js';
import { EXIT, UsageError } from './io.js';
import type { CliIO } from './io.js';

export async function validateCommand(files: string[], io: CliIO): Promise<number> {
  let problems = 0;
  for (const file of files) {
    const result = await load(file, io);
    printWarnings(result, io);
    problems += result.problems.length;
    if (result.workflow) problems += printPriceWarnings(result.workflow, io);
    if (result.problems.length === 0) io.out.write(`${file}: ok\n`);
  }
  if (problems > 0) {
    io.err.write(`${problems} problem${problems === 1 ? '' : 's'} found\n`);
    return EXIT.usage;
  }
  return EXIT.ok;
}

export async function graphCommand(file: string, io: CliIO): Promise<number> {
  const result = await load(file, io);
  if (!result.workflow) return EXIT.usage;
  io.out.write(renderMermaid(result.workflow) + '\n');
  return EXIT.ok;
}

/** `limits.usd` over a model without a price counts nothing: a warning (an error with on-unknown-cost: fail). */
function printPriceWarnings(workflow: WorkflowDef, io: CliIO): number {
  if (workflow.limits.usd === undefined) return 0;
  const fail = workflow.limits.onUnknownCost === 'fail';
  const unpriced = unpricedModels(workflow);
  for (const { step, model, loc } of unpriced) {
    const message =
      `${fail ? 'error' : 'warning'}: step "${step}": model "${model}" has no known price, so limits.usd ` +
      `cannot count its calls; add it under pricing: (limits.on-unknown-cost: ${fail ? 'fail' : 'warn'})`;
    io.err.write(formatProblem({ ...loc, message }) + '\n');
  }
  return fail ? unpriced.length : 0;
}

/**
 * Loads a workflow and prints its problems (with paths as the user typed them). With `cacheDir`, a definition
 * checked before for the same bytes comes from there (src/workflow/definition-cache.ts), and `remember`
 * keeps this one there once the caller has a run to keep it for; without, `remember` keeps nothing.
 */
export async function load(
  file: string,
  io: CliIO,
  cacheDir?: string,
): Promise<LoadResult & { remember: () => Promise<void> }> {
  // Relative to the command's directory (the process's own, except when a test runs the CLI in-process).
  const path = isAbsolute(file) || io.cwd === process.cwd() ? file : resolve(io.cwd, file);
  const { result, remember } =
    cacheDir === undefined
      ? {
          result: await (await import('../workflow/loader.js')).loadWorkflowFile(path),
          remember: async () => {},
        }
      : await loadWorkflowCached(path, cacheDir);
  for (const problem of result.problems) io.err.write(formatProblem(problem) + '\n');
  return { ...result, remember };
}

/** Warnings of a loaded workflow (what runs, but probably not as meant), as `file:line:col: warning: ...`. */
export function printWarnings(result: LoadResult, io: CliIO): void {
  for (const warning of result.warnings ?? []) {
    io.err.write(formatProblem({ ...warning, message: `warning: ${warning.message}` }) + '\n');
  }
}

/** The step paths of a workflow in order (`caller/inner` inside called workflows). */
export function stepPaths(workflow: WorkflowDef): string[] {
  return calleeSteps(workflow.steps, '').map((entry) => entry.path);
}

/** A `--until`/`--from` step that names no step of the workflow is a usage error. */
export function checkStepPath(workflow: WorkflowDef, path: string, flag: string): void {
  const paths = stepPaths(workflow);
  if (paths.includes(path)) return;
  throw new UsageError(
    `${flag} ${path}: workflow ${workflow.name} has no step "${path}"${didYouMean(path, paths) || ` (steps: ${paths.join(', ')})`}`,
  );
}
