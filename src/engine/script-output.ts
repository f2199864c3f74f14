// What people read about calls: what a `run` step prints while it runs (stderr, and stdout with `log:
// true`, line by line; workflow commands go to the runner; `::add-mask::` values join the redaction
// list), and a one-line summary of each call's request for `runs show --calls`.
import { parseWorkflowCommand } from '../agents/workflow-commands.js';
import type { PlannedCall } from './plan.js';
import type { RunObserver } from './types.js';

const REQUEST_SUMMARY_CHARS = 200;
/** How much of a long request `requestSummary` looks at first. */
const SUMMARY_HEAD = 4 * REQUEST_SUMMARY_CHARS;

/** A call's request in one short line (an agent's prompt, a script), journaled for `runs show --calls`. */
export function requestSummary(call: PlannedCall): string | undefined {
  const text = call.agent?.prompt ?? call.shell?.script;
  if (text === undefined) return undefined;
  // Prompts run to many kilobytes and every live call is summarised: collapse only as much as the summary
  // shows when that is enough (the start of the collapsed text does not depend on what follows it).
  if (text.length > SUMMARY_HEAD) {
    const head = text.slice(0, SUMMARY_HEAD).replace(/\s+/g, ' ').trimStart();
    if (head.length > REQUEST_SUMMARY_CHARS + 1) return `${head.slice(0, REQUEST_SUMMARY_CHARS - 1)}…`;
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > REQUEST_SUMMARY_CHARS ? `${line.slice(0, REQUEST_SUMMARY_CHARS - 1)}…` : line;
}

export function scriptLines(
  call: PlannedCall,
  observer: RunObserver | undefined,
  addSecret: ((value: string) => void) | undefined,
): (stream: 'stdout' | 'stderr', line: string) => void {
  const where = { step: call.path, item: call.item };
  const log = call.step.kind === 'run' && call.step.log;
  return (stream, line) => {
    const command = parseWorkflowCommand(line);
    if (command?.name === 'add-mask') {
      if (command.message !== '') addSecret?.(command.message);
    } else if (command) {
      observer?.workflowCommand?.({ ...where, command });
    } else if (stream === 'stderr' || log) {
      observer?.stepOutput?.({ ...where, stream, line });
    }
  };
}
