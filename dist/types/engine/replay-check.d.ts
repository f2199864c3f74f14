import type { CallEvent } from '../journal/types.js';
import type { PlannedCall } from './plan.js';
/** Why a journaled result cannot stand for this call, or undefined when it replays. */
export declare function replayProblem(call: PlannedCall, recorded: CallEvent): string | undefined;
