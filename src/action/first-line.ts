// The first line of main's log, said before @actions/core, the workflow and the engine load (about 100 ms
// on a runner): which workflow file main is checking, for which job and attempt. The run's own line
// (its id, the workflow's name, the journal) follows once the workflow is loaded and checked: nothing in
// this line depends on the workflow being valid.
import type { ActionHost } from './host.js';

/** What the first line is said with: the runner's environment and inputs, and a line of log. */
export type FirstLineProbe = Pick<ActionHost, 'env' | 'getInput' | 'info'>;

export function sayFirstLine(probe: FirstLineProbe): void {
  const workflow = probe.getInput('workflow');
  // No workflow given: readSettings says so, as the step's error.
  if (!workflow) return;
  const attempt = Number(probe.env.GITHUB_RUN_ATTEMPT ?? '1') || 1;
  probe.info(`reprise: checking ${workflow} (job ${probe.env.GITHUB_JOB ?? 'job'}, attempt ${attempt})`);
}
