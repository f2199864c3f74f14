// What the action needs from the runner, as an interface: the real one wraps @actions/core, so the
// logic in main.ts/post.ts reads the same under the runner and in tests.
import * as core from '@actions/core';

export interface Annotation {
  file?: string;
  startLine?: number;
  startColumn?: number;
  title?: string;
}

export interface ActionHost {
  env: Record<string, string | undefined>;
  getInput(name: string, required?: boolean): string;
  setOutput(name: string, value: string | number): void;
  setFailed(message: string): void;
  /** Fail the step without an annotation: the failure was already annotated (per problem, per step). */
  markFailed(): void;
  info(message: string): void;
  warning(message: string, annotation?: Annotation): void;
  error(message: string, annotation?: Annotation): void;
  startGroup(name: string): void;
  endGroup(): void;
  setSecret(value: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
  writeSummary(markdown: string): Promise<void>;
}

export function runnerHost(): ActionHost {
  return {
    env: process.env,
    getInput: (name, required = false) => core.getInput(name, { required, trimWhitespace: true }),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(message),
    markFailed: () => {
      process.exitCode = core.ExitCode.Failure;
    },
    info: (message) => core.info(message),
    warning: (message, annotation) => core.warning(message, annotation),
    error: (message, annotation) => core.error(message, annotation),
    startGroup: (name) => core.startGroup(name),
    endGroup: () => core.endGroup(),
    setSecret: (value) => core.setSecret(value),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    writeSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
  };
}
