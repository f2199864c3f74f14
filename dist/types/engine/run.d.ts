import type { StepDef } from '../workflow/types.js';
import { LimitExceeded } from './budget.js';
import type { RunOptions, RunResult } from './types.js';
export declare function runWorkflow(options: RunOptions): Promise<RunResult>;
export declare function flatten(steps: StepDef[]): StepDef[];
export { LimitExceeded };
