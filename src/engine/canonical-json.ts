// RFC 8785 canonical JSON, byte for byte what the `canonicalize` package writes: keys depend on it (a
// different byte would change every key, and a resume would replay nothing). canonicalize builds every
// value through Array.prototype.reduce and template strings, which made it the largest single cost of
// planning a replayed call; this is the same algorithm writing into one string.
// test/engine/canonical-json.test.ts checks it against canonicalize on arbitrary values, quirks included.

/**
 * A value whose canonical JSON was written once and is reused in many keys (a provider's identity is the
 * same in every call of a step): `canonicalJson` inserts its text as it is.
 */
export class CanonicalFragment {
  constructor(readonly json: string) {}
}

/** The canonical JSON of `value`; undefined where JSON.stringify gives none (undefined, a function, a symbol). */
export function canonicalJson(value: unknown): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof CanonicalFragment) return value.json;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (toJSON instanceof Function) return canonicalJson(toJSON.call(value));
  if (Array.isArray(value)) {
    let out = '[';
    // `index in value` skips holes, as reduce does (canonicalize's commas still count them).
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) continue;
      const element: unknown = value[index];
      if (index > 0) out += ',';
      out += element === undefined || typeof element === 'symbol' ? 'null' : String(canonicalJson(element));
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === 'symbol') continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(key) + ':' + String(canonicalJson(member));
  }
  return out + '}';
}
