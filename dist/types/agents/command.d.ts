import type { ProviderDef } from '../workflow/types.js';
import { type AgentProvider } from './types.js';
/** The program a command provider starts (its `command`, else its preset's); undefined when it has none. */
export declare function commandProgram(provider: ProviderDef): string | undefined;
export declare const commandProvider: AgentProvider;
