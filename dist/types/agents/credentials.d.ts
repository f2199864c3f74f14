import type { ProviderDef } from '../workflow/types.js';
export interface Credential {
    /** The env vars that can hold the credential, the one to ask for first. */
    names: string[];
    required: boolean;
    baseUrl: string;
}
export declare const OPENAI_BASE_URL = "https://api.openai.com/v1";
export declare const OPENAI_KEY_ENV = "OPENAI_API_KEY";
export declare const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export declare const ANTHROPIC_KEY_ENV = "ANTHROPIC_API_KEY";
/** The env var holding an openai provider's key; required with an explicit api-key-env or the public endpoint. */
export declare function openaiCredential(provider: ProviderDef, env: Record<string, string | undefined>): Credential;
/**
 * The env vars that can hold an anthropic provider's credential, and whether one is required (always with an
 * explicit api-key-env; for the public endpoint; a custom endpoint may need none).
 */
export declare function anthropicCredential(provider: ProviderDef, env: Record<string, string | undefined>): Credential;
