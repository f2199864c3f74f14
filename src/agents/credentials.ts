// Which env vars hold a provider's credential, and whether one is required: read by the providers when they
// call, and by the preflight before anything runs. A module of its own so that the preflight (which every
// run passes) never loads a provider's SDK.
import type { ProviderDef } from '../workflow/types.js';

export interface Credential {
  /** The env vars that can hold the credential, the one to ask for first. */
  names: string[];
  required: boolean;
  baseUrl: string;
}

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const OPENAI_KEY_ENV = 'OPENAI_API_KEY';
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_KEY_ENV = 'ANTHROPIC_API_KEY';

/** The env var holding an openai provider's key; required with an explicit api-key-env or the public endpoint. */
export function openaiCredential(provider: ProviderDef, env: Record<string, string | undefined>): Credential {
  const baseUrl = (provider.baseUrl ?? env['OPENAI_BASE_URL'] ?? OPENAI_BASE_URL).replace(/\/+$/, '');
  const names = [provider.apiKeyEnv ?? OPENAI_KEY_ENV];
  return { names, required: provider.apiKeyEnv !== undefined || baseUrl === OPENAI_BASE_URL, baseUrl };
}

/**
 * The env vars that can hold an anthropic provider's credential, and whether one is required (always with an
 * explicit api-key-env; for the public endpoint; a custom endpoint may need none).
 */
export function anthropicCredential(
  provider: ProviderDef,
  env: Record<string, string | undefined>,
): Credential {
  const baseUrl = (provider.baseUrl ?? env['ANTHROPIC_BASE_URL'] ?? ANTHROPIC_BASE_URL).replace(/\/+$/, '');
  // Without an explicit api-key-env, ANTHROPIC_AUTH_TOKEN (a bearer token, as the SDK and gateways use) also works.
  const names = provider.apiKeyEnv ? [provider.apiKeyEnv] : [ANTHROPIC_KEY_ENV, 'ANTHROPIC_AUTH_TOKEN'];
  return { names, required: provider.apiKeyEnv !== undefined || baseUrl === ANTHROPIC_BASE_URL, baseUrl };
}
