import type { YamlSource } from './source.js';
import type { Problem } from './types.js';
/** Every `model:` written as a plain name (not an expression) that is retired or will be. */
export declare function retiredModelWarnings(raw: unknown, source: YamlSource, today?: Date): Problem[];
