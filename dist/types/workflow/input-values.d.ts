import type { InputDef } from './types.js';
/** Why `value` does not fit the input, as `input "pr" must be a number, got "abc"`; undefined if it fits. */
export declare function checkInputValue(name: string, def: Pick<InputDef, 'type' | 'options'>, value: unknown): string | undefined;
