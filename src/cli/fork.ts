// `reprise fork RUN [--from STEP] [--run-id NEW]`: a new run seeded with RUN's journal. With --from,
// the calls of STEP and of every step after it (in workflow order) are left out, so the next
// `reprise run FILE --resume NEW` runs them live and replays the rest.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJournalFile } from '../journal/reader.js';
import { JournalWriter } from '../journal/writer.js';
import type { JournalEvent } from '../journal/types.js';
import { LocalStore } from '../stores/local.js';
import { loadWorkflowFile, formatProblem } from '../workflow/loader.js';
import { EXIT, UsageError, asUsageError } from './io.js';
import type { CliIO } from './io.js';
import { checkStepPath, stepPaths } from './validate.js';

export interface ForkOptions {
  from?: string;
  runId?: string;
  /** The workflow file, when the journal does not record it (or it moved). */
  workflow?: string;
  runsDir: string;
}

export async function forkCommand(source: string, options: ForkOptions, io: CliIO): Promise<number> {
  const store = new LocalStore(resolve(io.cwd, options.runsDir));
  const sourceId = await asUsageError(() => store.resolve(source));
  const read = await readJournalFile(store.journalPath(sourceId));
  const header = read.runs.at(-1);
  if (!header) throw new UsageError(`run ${sourceId} has no journal to fork`);
  const forkId = options.runId ?? store.newRunId();
  if (existsSync(store.journalPath(forkId))) throw new UsageError(`run "${forkId}" already exists`);

  let dropped = new Set<string>();
  const shown = options.workflow ?? header.file;
  if (options.from !== undefined) {
    if (shown === undefined) {
      throw new UsageError(
        `run ${sourceId} does not record its workflow file; name it with --workflow FILE to fork --from a step`,
      );
    }
    const file = resolve(io.cwd, shown);
    const loaded = await loadWorkflowFile(file);
    if (!loaded.workflow) {
      for (const problem of loaded.problems) io.err.write(formatProblem(problem) + '\n');
      return EXIT.usage;
    }
    if (loaded.workflow.name !== header.workflow) {
      throw new UsageError(
        `${file} is workflow "${loaded.workflow.name}", but run ${sourceId} ran "${header.workflow}"`,
      );
    }
    checkStepPath(loaded.workflow, options.from, '--from');
    const paths = stepPaths(loaded.workflow);
    dropped = new Set(paths.slice(paths.indexOf(options.from)));
  }

  // The runs' headers (inputs, attempts) and every call of the steps kept; no end: the fork has not run.
  const kept = read.events.filter((event) => keep(event, dropped));
  const lock = await asUsageError(() => store.lock(forkId));
  try {
    const writer = await JournalWriter.open(store.journalPath(forkId), {});
    try {
      for (const event of kept) writer.append(event);
    } finally {
      await writer.close();
    }
  } finally {
    await lock.release();
  }
  const calls = kept.filter((event) => event.t === 'call').length;
  const left = read.events.filter((event) => event.t === 'call').length - calls;
  io.out.write(
    `forked run ${sourceId} as ${forkId}: ${calls} journaled calls kept` +
      (options.from !== undefined ? `, ${left} of "${options.from}" and later steps left to run live` : '') +
      `\ncontinue it with: reprise run ${shown ?? 'WORKFLOW.yml'} --resume ${forkId}\n`,
  );
  return EXIT.ok;
}

function keep(event: JournalEvent, dropped: ReadonlySet<string>): boolean {
  switch (event.t) {
    case 'end':
      return false;
    case 'call':
    case 'fail':
    case 'step':
      return !dropped.has(event.step);
    default:
      return true;
  }
}
