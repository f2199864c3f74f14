// What a `run` step prints while it runs: its stderr (and stdout with `log: true`) goes to the observer
// line by line; workflow commands go to the runner; `::add-mask::` values join the redaction list.
import { parseWorkflowCommand } from '../agents/workflow-commands.js';
import type { PlannedCall } from './plan.js';
import type { RunObserver } from './types.js';

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
