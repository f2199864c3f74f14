// Call keys hash the canonical JSON of their material: canonicalJson must write exactly what the
// `canonicalize` package (RFC 8785) writes, or every key of every existing journal would change.
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/engine/canonical-json.js';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The outcome of a serializer: its text, or the message it threw. */
function outcome(serialize: (value: unknown) => string | undefined, value: unknown) {
  try {
    return { text: serialize(value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('canonicalJson', () => {
  it('writes what canonicalize writes for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes what canonicalize writes for any value, quirks and errors included', () => {
    const anything = fc.anything({
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withSet: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        expect(outcome(canonicalJson, value)).toEqual(outcome(canonicalize, value));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts keys by UTF-16 code units and writes numbers as ECMAScript does (RFC 8785 examples)', () => {
    const value = {
      '\u20ac': 'Euro',
      '\r': 'CR',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Smiley',
      a: [1e21, 1e-7, -0, 0.1],
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"CR","1":"One","a":[1e+21,1e-7,0,0.1],"\u20ac":"Euro","\ud83d\ude00":"Smiley","\ufb33":"Hebrew"}',
    );
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(() => canonicalJson({ n: NaN })).toThrow('NaN is not allowed');
    expect(() => canonicalJson([Infinity])).toThrow('Infinity is not allowed');
    expect(canonicalJson(undefined)).toBeUndefined();
  });
});
