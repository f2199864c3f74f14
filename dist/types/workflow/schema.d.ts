import type { YamlSource } from './source.js';
import type { Problem } from './types.js';
export declare const STEP_KINDS: readonly ["agent", "run", "parallel", "repeat", "ask", "uses"];
export declare function schemaProblems(value: unknown, source: YamlSource): Problem[];
/** A value as a person would write it in a message. */
export declare function describe(value: unknown): string;
export declare function isRecord(value: unknown): value is Record<string, unknown>;
