import type { YamlSource } from './source.js';
import { type Problem } from './types.js';
export declare function semanticProblems(root: unknown, source: YamlSource): Problem[];
/**
 * Names every JavaScript object already has (`__proto__`, `constructor`, `toString`, ...): as a step id or
 * an input name they would read as the object's own machinery instead of the value (`steps.constructor`).
 */
export declare function isReservedName(name: string): boolean;
