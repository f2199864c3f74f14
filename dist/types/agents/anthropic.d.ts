import { type AgentProvider } from './types.js';
/** The Messages API requires `max_tokens`. */
export declare const DEFAULT_MAX_TOKENS = 4096;
export declare const anthropicProvider: AgentProvider;
