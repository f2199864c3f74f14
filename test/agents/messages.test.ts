// Messages a person reads when a call fails: what went wrong, once, in plain words.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { httpError, transportError } from '../../src/agents/http.js';
import { runShell } from '../../src/agents/shell.js';
import { ProgressReporter, headline } from '../../src/report/progress.js';

const endpoint = {
  provider: 'anthropic',
  baseUrl: 'https://api.anthropic.com',
  model: 'claude-haiku-4-5',
  keyEnv: 'ANTHROPIC_API_KEY',
  keyMissing: false,
};

async function shellError(request: Partial<Parameters<typeof runShell>[0]>): Promise<string> {
  try {
    await runShell({
      script: 'echo hi',
      cwd: process.cwd(),
      env: { PATH: process.env.PATH },
      signal: new AbortController().signal,
      ...request,
    });
  } catch (caught) {
    return (caught as Error).message;
  }
  throw new Error('the script did not fail');
}

describe('run steps that cannot start', () => {
  it('a missing working directory is named, not "spawn bash ENOENT"', async () => {
    const message = await shellError({ cwd: '/nonexistent/dir' });
    expect(message).toBe(
      'could not start bash: the working directory /nonexistent/dir does not exist (working-directory)',
    );
  });

  it('an oversized environment names its largest variables, not "spawn E2BIG"', async () => {
    const message = await shellError({ env: { PATH: process.env.PATH, HUGE: 'x'.repeat(200_000) } });
    expect(message).toMatch(
      /^could not start bash: the environment is too large to start bash \(E2BIG: \d+ KB in 2 variables; largest: HUGE \(195 KB\)\); pass large values in a file/,
    );
  });
});

describe('provider errors', () => {
  it('end a server sentence once before ours', () => {
    const error = httpError(
      { status: 401, message: 'invalid x-api-key provided.', cause: undefined },
      endpoint,
    );
    expect(error.message).toContain('(401): invalid x-api-key provided. Check the value');
    expect(error.message).not.toContain('..');
  });

  it('a connection failure reads "Connection error: fetch failed", not "Connection error.: fetch failed"', () => {
    const guard = {
      signal: new AbortController().signal,
      timeoutMs: 1000,
      timedOut: () => false,
      aborted: () => false,
      dispose: () => {},
    };
    const error = transportError(
      new Error('Connection error.', { cause: new TypeError('fetch failed') }),
      guard,
      endpoint,
    );
    expect(error.message).toMatch(/: Connection error: fetch failed$/);
  });
});

describe('progress lines', () => {
  const lines = (report: (progress: ProgressReporter) => void) => {
    let text = '';
    const out = new Writable({
      write(chunk, _encoding, callback) {
        text += String(chunk);
        callback();
      },
    });
    const progress = new ProgressReporter({ out, bar: false });
    report(progress);
    return text;
  };

  it('a failed call shows the first line of what the script said, not a bare colon', () => {
    expect(headline('step "a": the script exited with code 1:\n\nfatal: not a git repository\nmore')).toBe(
      'step "a": the script exited with code 1: fatal: not a git repository',
    );
    const text = lines((progress) =>
      progress.callFinished({
        step: 'a',
        kind: 'run',
        key: 'k',
        status: 'failed',
        ms: 5,
        error: 'the script exited with code 2:\nboom',
      }),
    );
    expect(text).toBe('  failed    a  the script exited with code 2: boom\n');
  });

  it('calls in a repeat loop are numbered by iteration', () => {
    const text = lines((progress) => {
      for (const iteration of [1, 2, 3]) {
        progress.callFinished({ step: 'tick', iteration, kind: 'run', key: 'k', status: 'live', ms: 1 });
      }
    });
    expect(text.split('\n').filter(Boolean)).toEqual([
      '  live      tick #1  1ms',
      '  live      tick #2  1ms',
      '  live      tick #3  1ms',
    ]);
  });
});
