// YAML text → validated `WorkflowDef`, in three passes as in GitHub's workflow parser: read (YAML with
// positions), validate (JSON Schema, then semantic checks), convert. Problems are collected, never thrown.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toWorkflowDef } from './convert.js';
import { semanticProblems } from './checks.js';
import { isRecord, schemaProblems } from './schema.js';
import { YamlSource } from './source.js';
import type { Problem, WorkflowDef } from './types.js';

export interface LoadResult {
  /** Present exactly when there are no problems. */
  workflow?: WorkflowDef;
  problems: Problem[];
}

/** `file:line:column: message`, with the file as it was given. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export async function loadWorkflowFile(file: string): Promise<LoadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : describeError(error);
    return { problems: [{ file, line: 1, column: 1, message: `cannot read the workflow: ${reason}` }] };
  }
  return load(bytes.toString('utf8'), file, hash(bytes));
}

export function loadWorkflowText(text: string, file: string): LoadResult {
  return load(text, file, hash(Buffer.from(text, 'utf8')));
}

function load(text: string, file: string, scriptHash: string): LoadResult {
  try {
    return loadUnsafe(text, file, scriptHash);
  } catch (error) {
    // A bug in reprise, not in the file; still reported as a problem so callers never crash on input.
    return {
      problems: [
        { file, line: 1, column: 1, message: `internal error while loading: ${describeError(error)}` },
      ],
    };
  }
}

function loadUnsafe(text: string, file: string, scriptHash: string): LoadResult {
  const source = new YamlSource(text, file);
  const syntax = source.syntaxProblems();
  if (syntax.length > 0) return { problems: sorted(syntax) };

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

  const problems = [...schemaProblems(raw, source), ...semanticProblems(raw, source)];
  if (problems.length > 0) return { problems: sorted(problems) };

  const { workflow, problems: conversion } = toWorkflowDef(raw, source, {
    file: path.resolve(file),
    scriptHash,
  });
  if (conversion.length > 0) return { problems: sorted(conversion) };
  return { workflow, problems: [] };
}

function sorted(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function hash(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
