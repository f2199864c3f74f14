// YAML text → validated `WorkflowDef`, in three passes as in GitHub's workflow parser: read (YAML with
// positions), validate (JSON Schema, then semantic checks), convert. Problems are collected, never thrown.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toWorkflowDef } from './convert.js';
import { semanticProblems } from './checks.js';
import { shardWarnings } from './shards.js';
import { isRecord, schemaProblems } from './schema.js';
import { YamlSource } from './source.js';
import { aliasCycles, githubWorkflowProblem } from './shape.js';
import { JsonSchemaNotLoaded, loadJsonSchemaSupport, needsJsonSchema } from './json-schema-support.js';
import { retiredModelWarnings } from './models.js';
import { secretInputWarnings } from './secret-inputs.js';
import { formatProblem, scriptHash, type LoadResult } from './load-result.js';
import type { Problem, WorkflowDef } from './types.js';
import { checkUses } from './uses.js';
import type { LoadedCallee, UsesContext } from './uses.js';

export { formatProblem, scriptHash, type LoadResult } from './load-result.js';

export async function loadWorkflowFile(file: string): Promise<LoadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : describeError(error);
    return { problems: [{ file, line: 1, column: 1, message: `cannot read the workflow: ${reason}` }] };
  }
  const text = bytes.toString('utf8');
  let result: LoadResult;
  try {
    result = load(text, file, scriptHash(bytes));
  } catch (error) {
    // A schema (of an answer, an ask, a tool) was met: check again with JSON Schema support loaded.
    if (!(error instanceof JsonSchemaNotLoaded)) throw error;
    await loadJsonSchemaSupport();
    result = load(text, file, scriptHash(bytes));
  }
  // Whatever runs the workflow (or answers its asks) next may validate against a schema synchronously.
  if (result.workflow && needsJsonSchema(result.workflow)) await loadJsonSchemaSupport();
  return result;
}

/**
 * `loadWorkflowFile` for a text, synchronously: a workflow with a schema needs JSON Schema support loaded
 * first (`loadJsonSchemaSupport`; the unit tests load it in test/setup/json-schema.ts).
 */
export function loadWorkflowText(text: string, file: string): LoadResult {
  return load(text, file, scriptHash(Buffer.from(text, 'utf8')));
}

function load(text: string, file: string, scriptHash: string, uses = topLevel()): LoadResult {
  try {
    return loadUnsafe(text, file, scriptHash, uses);
  } catch (error) {
    if (error instanceof JsonSchemaNotLoaded) throw error;
    // A bug in reprise, not in the file; still reported as a problem so callers never crash on input.
    return {
      problems: [
        { file, line: 1, column: 1, message: `internal error while loading: ${describeError(error)}` },
      ],
    };
  }
}

/** The context of a file validated on its own: nothing calls it yet. */
function topLevel(): UsesContext {
  return { stack: [], cache: new Map(), load: loadCallee };
}

/** A file named by a `uses:` step, read and validated the same way (its problems name its own path). */
function loadCallee(display: string, absolute: string, uses: UsesContext): LoadedCallee {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    const problem = {
      file: display,
      line: 1,
      column: 1,
      message: `cannot read the workflow: ${describeError(error)}`,
    };
    return { problems: [problem], inputAt: () => problem };
  }
  const text = bytes.toString('utf8');
  const source = new YamlSource(text, display);
  const loaded = load(text, display, scriptHash(bytes), uses);
  return { ...loaded, inputAt: (name) => source.keyAt(['inputs', name]) };
}

function loadUnsafe(text: string, file: string, scriptHash: string, uses: UsesContext): LoadResult {
  const source = new YamlSource(text, file);
  const syntax = source.syntaxProblems();
  if (syntax.length > 0) return { problems: sorted(syntax, file) };
  const cycles = aliasCycles(source);
  if (cycles.length > 0) return { problems: sorted(cycles, file) };

  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return {
      problems: [{ file, line: 1, column: 1, message: `cannot read the YAML: ${describeError(error)}` }],
    };
  }
  if (raw === null || raw === undefined) {
    return {
      problems: [
        { file, line: 1, column: 1, message: 'the file is empty: a workflow needs "name" and "steps"' },
      ],
    };
  }
  if (!isRecord(raw)) {
    return {
      problems: [
        source.problem(
          [],
          'a workflow must be a mapping with "name" and "steps" (and optionally inputs, env, ...)',
        ),
      ],
    };
  }

  const foreign = githubWorkflowProblem(raw, source);
  if (foreign) return { problems: [foreign] };
  const problems = [...schemaProblems(raw, source), ...semanticProblems(raw, source)];
  if (problems.length > 0) return { problems: sorted(problems, file) };
  const called = checkUses(raw, source, file, uses);
  if (called.problems.length > 0) return { problems: sorted(called.problems, file) };

  const { workflow, problems: conversion } = toWorkflowDef(raw, source, {
    file: path.resolve(file),
    scriptHash,
  });
  if (conversion.length > 0) return { problems: sorted(conversion, file) };
  attachCallees(workflow.steps, called.callees);
  const warnings = [
    ...secretInputWarnings(raw, source, workflow, called.callees),
    ...shardWarnings(workflow),
    ...retiredModelWarnings(raw, source),
  ];
  return { workflow, problems: [], ...(warnings.length > 0 ? { warnings: sorted(warnings, file) } : {}) };
}

function attachCallees(steps: WorkflowDef['steps'], callees: Map<string, WorkflowDef>): void {
  for (const step of steps) {
    if (step.kind === 'uses') step.callee = callees.get(step.id);
    if (step.kind === 'parallel' || step.kind === 'repeat') attachCallees(step.steps, callees);
  }
}

function sorted(problems: Problem[], file: string): Problem[] {
  const seen = new Set<string>();
  return (
    problems
      .filter((p) => {
        const key = formatProblem(p);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      // A called file's problems come after the caller's; each file's in line order.
      .sort(
        (a, b) =>
          Number(a.file !== file) - Number(b.file !== file) ||
          a.file.localeCompare(b.file) ||
          a.line - b.line ||
          a.column - b.column,
      )
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
