import type { ProviderDef } from '../workflow/types.js';
import { type AgentProvider, type CallContext } from './types.js';
/** The env var holding this provider's key, and whether it is required (shared with the preflight). */
export declare function openaiCredential(provider: ProviderDef, env: CallContext['env']): {
    names: string[];
    required: boolean;
    baseUrl: string;
};
export declare const openaiProvider: AgentProvider;
