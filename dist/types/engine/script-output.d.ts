import type { PlannedCall } from './plan.js';
import type { RunObserver } from './types.js';
/** A call's request in one short line (an agent's prompt, a script), journaled for `runs show --calls`. */
export declare function requestSummary(call: PlannedCall): string | undefined;
export declare function scriptLines(call: PlannedCall, observer: RunObserver | undefined, addSecret: ((value: string) => void) | undefined): (stream: 'stdout' | 'stderr', line: string) => void;
