// Token counts → normalized usage and cost. Provider-reported costs are the bill and win; otherwise the
// workflow's `pricing:` map, then the built-in table. An unknown price is `null`, never 0.
import type { PriceDef } from '../workflow/types.js';
import type { Usage } from './types.js';

/** A built-in price; `cacheWrite` is the multiplier of the input price for cache-creation tokens. */
interface TablePrice extends PriceDef {
  cacheWrite?: number;
  /** The provider retires (or retired) the model on this date (YYYY-MM-DD); `use` is its successor. */
  retired?: { on: string; use: string };
}

const ANTHROPIC_CACHE_WRITE = 1.25;

/** USD per million tokens, matched against the model id without its date suffix. */
const PRICE_TABLE: ReadonlyArray<readonly [RegExp, TablePrice]> = [
  [/^gpt-4\.1$/, { input: 2, output: 8, cachedInput: 0.5 }],
  [/^gpt-4\.1-mini$/, { input: 0.4, output: 1.6, cachedInput: 0.1 }],
  [/^gpt-4\.1-nano$/, { input: 0.1, output: 0.4, cachedInput: 0.025 }],
  [/^gpt-4o$/, { input: 2.5, output: 10, cachedInput: 1.25 }],
  [/^gpt-4o-mini$/, { input: 0.15, output: 0.6, cachedInput: 0.075 }],
  [/^gpt-5$/, { input: 1.25, output: 10, cachedInput: 0.125 }],
  [/^gpt-5-mini$/, { input: 0.25, output: 2, cachedInput: 0.025 }],
  [/^gpt-5-nano$/, { input: 0.05, output: 0.4, cachedInput: 0.005 }],
  [/^o3$/, { input: 2, output: 8, cachedInput: 0.5 }],
  [/^o4-mini$/, { input: 1.1, output: 4.4, cachedInput: 0.275 }],
  // Opus 4 and 4.1 kept the old price; 4.5 and later cost a third of it.
  [/^claude-opus-4(-0|-1)?$/, { input: 15, output: 75, cachedInput: 1.5, cacheWrite: ANTHROPIC_CACHE_WRITE }],
  [/^claude-opus-4-[5-9]$/, { input: 5, output: 25, cachedInput: 0.5, cacheWrite: ANTHROPIC_CACHE_WRITE }],
  // End of life as the Anthropic SDK announces it (resources/messages DEPRECATED_MODELS).
  [
    /^claude-sonnet-4-5$/,
    {
      input: 3,
      output: 15,
      cachedInput: 0.3,
      cacheWrite: ANTHROPIC_CACHE_WRITE,
      retired: { on: '2026-11-30', use: 'claude-sonnet-4-6' },
    },
  ],
  [/^claude-sonnet-4(-\d)?$/, { input: 3, output: 15, cachedInput: 0.3, cacheWrite: ANTHROPIC_CACHE_WRITE }],
  [/^claude-haiku-4-5$/, { input: 1, output: 5, cachedInput: 0.1, cacheWrite: ANTHROPIC_CACHE_WRITE }],
  [/^claude-3-5-haiku$/, { input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: ANTHROPIC_CACHE_WRITE }],
];

/** `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`; `gpt-4o-2024-08-06` → `gpt-4o`; `openai/gpt-4o` → `gpt-4o`. */
export function modelFamily(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^[a-z0-9-]+\//, '')
    .replace(/-(latest|\d{8}|\d{4}-\d{2}-\d{2})$/, '');
}

/**
 * The built-in table's entry for a model id. Every live call prices its answer, so the (few) ids a run
 * meets are looked up once each: the family and up to 16 patterns per call cost more than the rest of
 * the pricing. Bounded, because a provider may answer with any id.
 */
const tableCache = new Map<string, TablePrice | null>();
const TABLE_CACHE_SIZE = 256;

function tablePrice(model: string): TablePrice | undefined {
  let price = tableCache.get(model);
  if (price === undefined) {
    const family = familyOf(model);
    price = PRICE_TABLE.find(([pattern]) => pattern.test(family))?.[1] ?? null;
    if (tableCache.size >= TABLE_CACHE_SIZE) tableCache.clear();
    tableCache.set(model, price);
  }
  return price ?? undefined;
}

/** When the built-in table marks a model retired: the date and its successor. */
export function retirement(model: string): { on: string; use: string } | undefined {
  return tablePrice(model)?.retired;
}

/** The price of a model: the workflow's `pricing:` map (exact id, then family), then the built-in table. */
export function priceFor(model: string, overrides?: Record<string, PriceDef>): TablePrice | undefined {
  return priceOverride(model, overrides) ?? tablePrice(model);
}

function priceOverride(model: string, overrides?: Record<string, PriceDef>): PriceDef | undefined {
  if (overrides === undefined) return undefined;
  return ownPrice(overrides, model) ?? ownPrice(overrides, familyOf(model));
}

/** An entry of the map itself: a model answering as `constructor` has no price from Object.prototype. */
function ownPrice(overrides: Record<string, PriceDef>, name: string): PriceDef | undefined {
  return Object.hasOwn(overrides, name) ? overrides[name] : undefined;
}

/**
 * `modelFamily`, once per model id: every live call looks up the `pricing:` map (empty or not) by the family
 * of the answering and the requested model. Bounded, as the table's memo is.
 */
const families = new Map<string, string>();

function familyOf(model: string): string {
  let family = families.get(model);
  if (family === undefined) {
    family = modelFamily(model);
    if (families.size >= TABLE_CACHE_SIZE) families.clear();
    families.set(model, family);
  }
  return family;
}

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
export function costUsd(
  model: string | string[],
  tokens: TokenCounts,
  overrides?: Record<string, PriceDef>,
): number | null {
  if (tokens.reportedCostUsd !== undefined && Number.isFinite(tokens.reportedCostUsd)) {
    return tokens.reportedCostUsd;
  }
  const names = Array.isArray(model) ? model : [model];
  let price: TablePrice | undefined;
  for (const name of names) if ((price = priceOverride(name, overrides))) break;
  if (!price) for (const name of names) if ((price = tablePrice(name))) break;
  if (!price) return null;
  const cached = Math.min(tokens.cached, tokens.input);
  const cacheWrite = Math.min(tokens.cacheWrite ?? 0, tokens.input - cached);
  const plain = tokens.input - cached - cacheWrite;
  const total =
    plain * price.input +
    cacheWrite * price.input * (price.cacheWrite ?? 1) +
    cached * (price.cachedInput ?? price.input) +
    tokens.output * price.output;
  // Round away float noise (0.1 + 0.2) without losing sub-cent precision.
  return Number((total / 1e6).toPrecision(12));
}

export function toUsage(
  model: string | string[],
  tokens: TokenCounts,
  overrides?: Record<string, PriceDef>,
): Usage {
  return {
    inputTokens: tokens.input,
    outputTokens: tokens.output,
    cachedInputTokens: tokens.cached,
    costUsd: costUsd(model, tokens, overrides),
  };
}

/** Usage of several attempts of one call. The cost stays unknown if any part of it is. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    costUsd:
      a.costUsd === null || b.costUsd === null ? null : Number((a.costUsd + b.costUsd).toPrecision(12)),
    ...(a.estimated || b.estimated ? { estimated: true } : {}),
  };
}

/**
 * A rough count when a provider reports no usage: four characters per token. The usage it yields is marked
 * `estimated`, shown as `~`, and still counted against limits: unknown is never zero.
 */
export function estimateTokens(prompt: string, answer: string): TokenCounts {
  return { input: Math.ceil(prompt.length / 4), output: Math.ceil(answer.length / 4), cached: 0 };
}
