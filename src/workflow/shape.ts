// Whole-file mistakes that would otherwise drown in per-key errors or crash a later pass: a GitHub
// Actions workflow given instead of a reprise one, and YAML aliases that make a value contain itself.
import { isCollection, isSeq, visit, type Node } from 'yaml';
import type { YamlSource } from './source.js';
import type { Problem } from './types.js';

/** One problem for a GitHub Actions workflow (it has `jobs`, and `on` or no `steps`), else undefined. */
export function githubWorkflowProblem(raw: Record<string, unknown>, source: YamlSource): Problem | undefined {
  if (!('jobs' in raw) || !('on' in raw || !('steps' in raw))) return undefined;
  return source.problem(
    ['jobs'],
    'this is a GitHub Actions workflow (it has "on" and "jobs"), not a reprise workflow: run it with the ' +
      'reprise action (uses: OWNER/reprise@v1, with: workflow: <reprise file>) or give validate the reprise workflow file',
    'key',
  );
}

/** Aliases inside the very node they refer to (`env: &e { A: *e }`): a value that contains itself. */
export function aliasCycles(source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  visit(source.doc, {
    Alias: (_, alias) => {
      const target = alias.resolve(source.doc) as Node | undefined;
      const [start, end] = alias.range ?? [0, 0];
      const [targetStart, targetEnd] = target?.range ?? [0, 0];
      if (target && isCollection(target) && start >= targetStart && end <= targetEnd) {
        problems.push(
          source.problemAtOffset(
            start,
            `YAML alias "${alias.source}" refers to the ${isSeq(target) ? 'list' : 'mapping'} that contains it: a value cannot contain itself`,
          ),
        );
      }
    },
  });
  return problems;
}
