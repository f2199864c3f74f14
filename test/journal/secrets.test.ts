import { describe, expect, it } from 'vitest';
import { redactedJson, Secrets } from '../../src/journal/secrets.js';

describe('Secrets', () => {
  it('replaces every occurrence of every secret', () => {
    const secrets = new Secrets();
    secrets.add('sk-live-1234');
    secrets.add('hunter22');
    expect(secrets.redact('key sk-live-1234, again sk-live-1234, pw hunter22.')).toBe(
      'key ***, again ***, pw ***.',
    );
    expect(secrets.size).toBe(2);
  });

  it('redacts the longest secret first, so no tail of it is left behind', () => {
    const secrets = new Secrets();
    secrets.add('abcd');
    secrets.add('abcdefgh');
    expect(secrets.redact('x abcdefgh y abcd z')).toBe('x *** y *** z');
  });

  it('ignores values shorter than 4 characters', () => {
    const secrets = new Secrets();
    secrets.add('on');
    secrets.add('abc');
    secrets.add('');
    expect(secrets.size).toBe(0);
    expect(secrets.redact('on abc')).toBe('on abc');
  });

  it('treats regular-expression characters in a secret literally', () => {
    const secrets = new Secrets();
    secrets.add('a.b*c+(d)');
    expect(secrets.redact('a.b*c+(d) aXbbbc+d')).toBe('*** aXbbbc+d');
  });

  it('redacts a secret added after the first redaction', () => {
    const secrets = new Secrets();
    secrets.add('first-secret');
    expect(secrets.redact('first-secret second-secret')).toBe('*** second-secret');
    secrets.add('second-secret');
    expect(secrets.redact('first-secret second-secret')).toBe('*** ***');
  });

  it('redacts the JSON-escaped form of a secret containing quotes, backslashes or newlines', () => {
    const secrets = new Secrets();
    const secret = 'pa"ss\\wo\nrd';
    secrets.add(secret);
    const line = JSON.stringify({ nested: { value: `before ${secret} after` } });
    expect(line).not.toContain(secret);
    const redacted = secrets.redact(line);
    expect(redacted).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(JSON.parse(redacted)).toEqual({ nested: { value: 'before *** after' } });
  });

  it('redacts each line of a multi-line secret, and a secret without its trailing newline', () => {
    const secrets = new Secrets();
    secrets.add('-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----\n');
    expect(secrets.redact('line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe('line: ***');
    expect(secrets.redact('[-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----]')).toBe(
      '[***]',
    );
  });

  it('takes the values of environment variables named like credentials', () => {
    const secrets = new Secrets();
    secrets.addFromEnv({
      GITHUB_TOKEN: 'ghs_abcdef123456',
      OPENAI_API_KEY: 'sk-proj-xyz987',
      db_password: 'correct horse',
      MY_SECRET_VALUE: 'topsecretvalue',
      PATH: '/usr/bin:/bin',
      HOME: '/home/runner',
      EMPTY_TOKEN: undefined,
    });
    expect(secrets.size).toBe(4);
    const text = 'ghs_abcdef123456 sk-proj-xyz987 correct horse topsecretvalue /usr/bin:/bin /home/runner';
    expect(secrets.redact(text)).toBe('*** *** *** *** /usr/bin:/bin /home/runner');
  });

  it('returns the text unchanged when there are no secrets', () => {
    const text = 'nothing to hide';
    expect(new Secrets().redact(text)).toBe(text);
  });
});

describe('redactedJson', () => {
  it('keeps the line valid JSON when the secret sits inside a string', () => {
    const secrets = new Secrets();
    secrets.add('tok-12345');
    const line = redactedJson({ result: { items: ['a tok-12345 b', { deep: 'tok-12345' }] } }, secrets);
    expect(line).not.toContain('tok-12345');
    expect(JSON.parse(line)).toEqual({ result: { items: ['a *** b', { deep: '***' }] } });
  });

  it('redacts a secret that is spelled as a number without breaking the line', () => {
    const secrets = new Secrets();
    secrets.add('98765432');
    const line = redactedJson({ t: 'call', ms: 98765432, note: 'pin 98765432' }, secrets);
    expect(line).not.toContain('98765432');
    expect(JSON.parse(line)).toEqual({ t: 'call', ms: '***', note: 'pin ***' });
  });

  it('never writes a secret, even one overlapping a JSON escape sequence', () => {
    const secrets = new Secrets();
    secrets.add('nSECRETVALUE');
    const line = redactedJson({ text: 'a\nSECRETVALUE', other: 'nSECRETVALUE' }, secrets);
    expect(line).not.toContain('nSECRETVALUE');
  });
});
