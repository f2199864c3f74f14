// Runs test code "inside" an emulated job step: the runner's variables in process.env and the
// workspace as working directory, as the runner starts an action. One step at a time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionsEmulator } from './actions-emulator.js';
import { applyRunnerEnv, type RunnerEnvOptions } from './runner-env.js';

export interface Step extends RunnerEnvOptions {
  env: Record<string, string>;
}

export interface StepHarness {
  /** Leaves the current step (if any) and enters a new one with fresh directories by default. */
  enter(opts?: Partial<RunnerEnvOptions>): Step;
  /** Restores process.env and the working directory. */
  leave(): void;
}

export function stepHarness(emulator: ActionsEmulator, root: string): StepHarness {
  let count = 0;
  let undo: (() => void) | undefined;
  const leave = (): void => {
    undo?.();
    undo = undefined;
  };
  return {
    enter(opts = {}) {
      leave();
      const dir = join(root, `step-${++count}`);
      const step: RunnerEnvOptions = {
        runId: 1000,
        attempt: 1,
        job: 'build',
        workspace: join(dir, 'workspace'),
        runnerTemp: join(dir, 'temp'),
        ...opts,
      };
      const env = emulator.runnerEnv(step);
      mkdirSync(step.workspace, { recursive: true });
      const cwd = process.cwd();
      const restoreEnv = applyRunnerEnv(env);
      process.chdir(step.workspace);
      undo = () => {
        process.chdir(cwd);
        restoreEnv();
      };
      return { ...step, env };
    },
    leave,
  };
}
