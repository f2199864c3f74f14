import type { YamlSource } from './source.js';
import type { Problem } from './types.js';
/** One problem for a GitHub Actions workflow (it has `jobs`, and `on` or no `steps`), else undefined. */
export declare function githubWorkflowProblem(raw: Record<string, unknown>, source: YamlSource): Problem | undefined;
/** Aliases inside the very node they refer to (`env: &e { A: *e }`): a value that contains itself. */
export declare function aliasCycles(source: YamlSource): Problem[];
