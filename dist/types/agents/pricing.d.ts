import type { PriceDef } from '../workflow/types.js';
import type { Usage } from './types.js';
/** A built-in price; `cacheWrite` is the multiplier of the input price for cache-creation tokens. */
interface TablePrice extends PriceDef {
    cacheWrite?: number;
    /** The provider retires (or retired) the model on this date (YYYY-MM-DD); `use` is its successor. */
    retired?: {
        on: string;
        use: string;
    };
}
/** `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`; `gpt-4o-2024-08-06` → `gpt-4o`; `openai/gpt-4o` → `gpt-4o`. */
export declare function modelFamily(model: string): string;
/** When the built-in table marks a model retired: the date and its successor. */
export declare function retirement(model: string): {
    on: string;
    use: string;
} | undefined;
/** The price of a model: the workflow's `pricing:` map (exact id, then family), then the built-in table. */
export declare function priceFor(model: string, overrides?: Record<string, PriceDef>): TablePrice | undefined;
/** Token counts exactly as the provider reported them, in reprise's terms. */
export interface TokenCounts {
    /** All input tokens, cached and cache-writing ones included. */
    input: number;
    output: number;
    /** The part of `input` read from the provider's prompt cache. */
    cached: number;
    /** The part of `input` written to the prompt cache (Anthropic bills it above the input price). */
    cacheWrite?: number;
    /** The provider's own figure for what the call cost, when it reports one. */
    reportedCostUsd?: number;
}
/**
 * What a call cost. `model` may list several names for the same call (the one the provider says answered,
 * then the one requested): the first with a known price counts.
 */
export declare function costUsd(model: string | string[], tokens: TokenCounts, overrides?: Record<string, PriceDef>): number | null;
export declare function toUsage(model: string | string[], tokens: TokenCounts, overrides?: Record<string, PriceDef>): Usage;
/** Usage of several attempts of one call. The cost stays unknown if any part of it is. */
export declare function addUsage(a: Usage, b: Usage): Usage;
/**
 * A rough count when a provider reports no usage: four characters per token. The usage it yields is marked
 * `estimated`, shown as `~`, and still counted against limits: unknown is never zero.
 */
export declare function estimateTokens(prompt: string, answer: string): TokenCounts;
export {};
