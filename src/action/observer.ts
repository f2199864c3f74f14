// How the action's log shows a run: one group per top-level step, one line per finished call (replayed
// calls summarised per step), warnings and step output passed on. Loaded by main once its first line is out.
import type { RunObserver, StepStatus } from '../engine/types.js';
import { ProgressReporter, callName } from '../report/progress.js';
import type { ActionHost } from './host.js';

/** Logs grouped per top-level step; one line per finished call. */
export class ActionObserver implements RunObserver {
  private readonly progress: ProgressReporter;
  private openGroup?: string;
  /** `::error` annotations made for failed steps. */
  errors = 0;

  constructor(private readonly host: ActionHost) {
    this.progress = new ProgressReporter({
      out: lineWriter((line) => host.info(line)),
      bar: false,
    });
  }

  stepStarted(step: string, info: { kind: string; items?: number; iteration?: number }): void {
    if (this.openGroup === undefined) {
      this.openGroup = step;
      const detail =
        info.items !== undefined
          ? ` (${info.items} items)`
          : info.iteration !== undefined
            ? ` (iteration ${info.iteration})`
            : '';
      this.host.startGroup(`${step}${detail}`);
    } else if (info.iteration !== undefined) {
      this.host.info(`${step}: iteration ${info.iteration}`);
    }
  }

  callFinished = (report: Parameters<ProgressReporter['callFinished']>[0]) =>
    this.progress.callFinished(report);
  callRetrying = (info: Parameters<ProgressReporter['callRetrying']>[0]) => this.progress.callRetrying(info);

  stepFinished(step: string, status: StepStatus, error?: string): void {
    this.progress.stepFinished(step);
    if (status === 'failed' && error) {
      this.host.error(error);
      this.errors += 1;
    } else this.host.info(`${step}: ${status}`);
    if (this.openGroup === step) {
      this.host.endGroup();
      this.openGroup = undefined;
    }
  }

  warning(message: string): void {
    this.host.warning(message);
  }

  stepOutput(info: { step: string; item?: number; line: string }): void {
    this.host.info(`${callName(info)} | ${info.line}`);
  }

  /** Passed on as printed, so the runner makes its annotation, group or debug line. */
  workflowCommand(info: { command: { raw: string } }): void {
    this.host.info(info.command.raw);
  }
}

function lineWriter(write: (line: string) => void): NodeJS.WritableStream {
  return {
    write(chunk: string | Uint8Array) {
      for (const line of String(chunk).replace(/\n$/, '').split('\n')) write(line);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}
