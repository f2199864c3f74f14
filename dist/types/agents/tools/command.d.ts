import { type Tool } from './types.js';
export declare const DEFAULT_TOOL_TIMEOUT_MS: number;
export interface CommandToolSpec {
    name: string;
    description: string;
    parameters: Record<string, unknown>;
    run: string;
    shell?: string;
    /** Declared env, resolved; added on top of the inherited environment. */
    env: Record<string, string>;
    /** Env names left out of the key (credentials). */
    keyEnv: Record<string, string>;
    timeoutMs?: number;
    /** Declared `reuse: true`: its results depend on its arguments alone (reusable across runs). */
    reuse?: boolean;
}
/** `TOOL_INPUT_<NAME>`: the argument's name upper-cased, anything but letters and digits as `_`. */
export declare function argumentEnvName(name: string): string;
export declare function argumentEnv(args: Record<string, unknown>): Record<string, string>;
export declare function commandTool(spec: CommandToolSpec): Tool;
