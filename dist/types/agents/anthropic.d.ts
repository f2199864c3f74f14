import type { ProviderDef } from '../workflow/types.js';
import { type AgentProvider, type CallContext } from './types.js';
/** The Messages API requires `max_tokens`. */
export declare const DEFAULT_MAX_TOKENS = 4096;
/**
 * The env vars that can hold this provider's credential, and whether one is required (always with an
 * explicit api-key-env; for the public endpoint; a custom endpoint may need none). Shared with the preflight.
 */
export declare function anthropicCredential(provider: ProviderDef, env: CallContext['env']): {
    names: string[];
    required: boolean;
    baseUrl: string;
};
export declare const anthropicProvider: AgentProvider;
