// Command agents and command tools printing far more than the cap (issue 13): like run steps, they keep the
// first bytes in memory, and the whole stream goes to a file in the run directory, with secrets redacted
// (the action uploads that directory). A cut answer is never taken for the answer.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAttempt } from '../../src/attempt.js';
import { emptyJournalRead } from '../../src/journal/reader.js';
import { Secrets } from '../../src/journal/secrets.js';
import type { FakeServer } from '../fakes/common.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { load } from './harness.js';

const CAP = 64 * 1024;
const SECRET = 'sk-live-0123456789abcdef';
// 3 MB with the secret every 1000 bytes: many occurrences straddle the pieces the spill file is read in.
const FLOOD = `for i in $(seq 3000); do printf '%0976d%s' 0 "$MY_TOKEN"; done`;
const TOTAL = 3000 * 1000;
const LATE = 'masked-late-value\n::add-mask::masked-late-value\n';

let openai: FakeServer;
beforeAll(async () => {
  openai = await startFakeOpenAI();
});
afterAll(async () => {
  await openai.close();
});

async function attempt(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-cap-'));
  const journalPath = join(dir, 'journal.jsonl');
  const warnings: string[] = [];
  const { result } = await runAttempt({
    workflow: load(yaml),
    runId: 'r',
    journalPath,
    previous: emptyJournalRead(journalPath),
    workspace: dir,
    env: { PATH: process.env.PATH, MY_TOKEN: SECRET, OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'k' },
    observer: { warning: (message) => warnings.push(message) },
    runOutput: { maxBytes: CAP, dir },
  });
  const spilled = readdirSync(dir).filter((name) => name.startsWith('output-'));
  return { result, dir, warnings, journal: readFileSync(journalPath, 'utf8'), spilled };
}

function expectRedactedWhole(file: string, tail = '') {
  const text = readFileSync(file, 'utf8');
  expect(text).not.toContain(SECRET);
  expect(text.split('***').length - 1).toBe(3000 + tail.split('***').length - 1);
  expect(text.length).toBe(3000 * (976 + 3) + tail.length);
  expect(text.endsWith(`0***${tail}`)).toBe(true);
}

describe('output caps', () => {
  it('a run step: the spill file is redacted, with values masked after they were printed too', async () => {
    const { result, journal, spilled, dir, warnings } = await attempt(`
name: big-run
steps:
  - id: flood
    run: |
      ${FLOOD}
      echo "masked-late-value"
      echo "::add-mask::masked-late-value"
`);
    expect(result.status).toBe('succeeded');
    const file = join(
      dir,
      spilled.find((name) => name.endsWith('.stdout'))!,
    );
    expect(warnings).toEqual([
      `step flood: stdout was cut at ${CAP} of ${TOTAL + LATE.length} bytes (all of it is in ${file})`,
    ]);
    // The whole stream, workflow commands included, as it was printed.
    expectRedactedWhole(file, '***\n::add-mask::***\n');
    expect(journal).not.toContain(SECRET);
  });

  it('a command agent printing megabytes fails clearly; the whole output is in a redacted file', async () => {
    const { result, journal, spilled, dir } = await attempt(`
name: big-agent
providers:
  loud: { type: command, command: bash, args: ["-c", ${JSON.stringify(FLOOD)}] }
steps:
  - id: ask
    agent: { provider: loud, prompt: hi }
`);
    expect(result.status).toBe('failed');
    const file = join(
      dir,
      spilled.find((name) => name.endsWith('.stdout'))!,
    );
    expect(result.error).toContain(
      `printed a longer answer than reprise keeps: stdout was cut at ${CAP} of ${TOTAL} bytes (all of it is in ${file})`,
    );
    expectRedactedWhole(file);
    expect(journal).not.toContain(SECRET);
    expect(journal.length).toBeLessThan(4 * CAP);
  });

  it('a command tool printing megabytes gives the model the first bytes and says it was cut', async () => {
    openai.respond(
      toolScript((turn, request) =>
        turn === 0
          ? { text: '', toolCalls: [{ name: 'flood', arguments: {} }] }
          : { text: toolResults(request)[0]!.content.slice(0, 200) },
      ),
    );
    const { result, journal, spilled, dir } = await attempt(`
name: big-tool
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0 }
tools:
  flood:
    description: Prints a lot.
    parameters: { type: object, properties: {} }
    run: ${JSON.stringify(FLOOD)}
steps:
  - id: work
    agent: { prompt: Use the tool., tools: [flood] }
outputs:
  seen: \${{ steps.work.outputs.text }}
`);
    expect(result.status).toBe('succeeded');
    const file = join(
      dir,
      spilled.find((name) => name.endsWith('.stdout'))!,
    );
    expect(result.outputs['seen']).toMatch(
      new RegExp(
        `^\\[reprise: stdout was cut at ${CAP} of \\d+ bytes \\(all of it is in ${file}\\)\\]\\n0000`,
      ),
    );
    expectRedactedWhole(file);
    expect(journal).not.toContain(SECRET);
  });
});

describe('redacting a text given in pieces', () => {
  it('finds a secret split across any two pieces', () => {
    const secrets = new Secrets();
    secrets.add(SECRET);
    const text = `a${SECRET}b${SECRET}${SECRET}c`;
    for (let size = 1; size <= text.length; size++) {
      const redactor = secrets.streamRedactor();
      let out = '';
      for (let at = 0; at < text.length; at += size) out += redactor.push(text.slice(at, at + size));
      out += redactor.end();
      expect(out).toBe('a***b******c');
    }
  });
});
