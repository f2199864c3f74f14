const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/y;
const SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;

/**
 * Reads `250ms`, `30s`, `5m`, `1h`, `1h30m`, `7d`, or a plain number of seconds, as milliseconds.
 * Anything else (negative, empty, unknown unit, not finite) gives `undefined`.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') {
    return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : undefined;
  }
  const plain = SECONDS.exec(text);
  if (plain) return finite(Number(plain[1]) * 1000);
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const start = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (!match || match.index !== start) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  }
  return finite(total);
}

function finite(ms: number): number | undefined {
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
