import type { YamlSource } from './source.js';
import type { Problem } from './types.js';
export { describe, isRecord } from './values.js';
export declare const STEP_KINDS: readonly ["agent", "run", "parallel", "repeat", "ask", "uses"];
export declare function schemaProblems(value: unknown, source: YamlSource): Problem[];
