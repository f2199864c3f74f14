// Argument parsing (commander) and dispatch. Every command returns its exit code. A command's module is
// imported when it runs, so `--help` or `runs ls` never load the engine and the provider SDKs.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { EXIT, UsageError } from './io.js';
import { FdStream } from './fd-stream.js';
import { StoreError } from '../stores/errors.js';
import { isAbsolute, relative } from 'node:path';
import type { CliIO } from './io.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function nonNegativeInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('must be a whole number >= 0.');
  return number;
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number >= 1.');
  return number;
}

export async function main(argv: string[], io: CliIO = standardIO()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const set = (code: number) => {
    exitCode = code;
  };
  const program = new Command()
    .name('reprise')
    .description('Resumable AI-agent workflows: every finished call is journaled and replayed on re-run.')
    .version(packageJson.version, '-v, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
    })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Exit codes:
  0    the run succeeded (or the command did what it was asked)
  1    the run failed
  2    usage or validation error: nothing was run
  3    the run is waiting for an answer (reprise answer, then run --resume)
  4    the run paused (--until)
  130  the run was cancelled (Ctrl-C, SIGTERM, or its output was closed)`,
    );

  program
    .command('run')
    .description('run a workflow, journaling every call; --resume continues an earlier run')
    .argument('<file>', 'workflow file (YAML)')
    .option('-i, --input <key=value>', 'set an input (repeatable)', collect, [])
    .option('--inputs-file <file>', 'read inputs from a YAML or JSON file')
    .option('--run-id <id>', 'name the new run (default: a timestamp)')
    .option('--resume <id>', 'continue an earlier run ("latest" for the newest)')
    .option('--runs-dir <dir>', 'where runs are stored', '.reprise/runs')
    .addOption(
      new Option('--concurrency <n>', 'default concurrency of for-each steps').argParser(positiveInt),
    )
    .option('--until <step>', 'stop after this step (status paused, exit 4); --resume continues')
    .option('--background', 'start the run detached and print its id; progress goes to the run log')
    .option(
      '--limit <name=value>',
      "set a limit over the workflow's: tokens, usd or max-calls (repeatable); limits count every attempt of the run, so this is how a resumed run gets more",
      collect,
      [],
    )
    .option('--json', 'print one JSON object describing this invocation as the last line')
    .option(
      '--shard <I/N>',
      'run shard I of N (0-based) of the "shard: true" fan-outs; ends with status sharded',
    )
    .option(
      '--merge <dir...>',
      "merge these shards' run directories (or journals) into a new run and finish it",
    )
    .addOption(
      new Option(
        '--on-missing-shard <policy>',
        'with --merge: "fail" (default) or "run" the missing items live',
      ).choices(['fail', 'run']),
    )
    .option(
      '-a, --answer <step=value>',
      'answer an ask (STEP=VALUE, or STEP[ITEM]=VALUE in a fan-out; repeatable)',
      collect,
      [],
    )
    .option('--no-wait', 'unanswered asks take their default instead of waiting')
    .option(
      '--reuse <run>',
      'start a new run reusing an earlier run\'s journal ("latest" for the newest): its model calls replay, run steps and tools run again',
    )
    .option(
      '--reuse-max-age <duration>',
      "calls of earlier runs older than this run live again (default: the workflow's reuse-max-age, else 7d)",
    )
    .option('--verbose', 'print a line for every replayed call (by default, one line per step)')
    .action(async (file: string, options) =>
      set(
        await (
          await import('./run.js')
        ).runCommand(file, { ...options, invokedAs: invokedAs(argv, io), argv: argv.slice(1) }, io),
      ),
    );

  program
    .command('fork')
    .description(
      'start a new run from the journal of another; with --from, that step and every later one run live',
    )
    .argument('<run>', 'run id or "latest"')
    .option('--from <step>', 'leave out the calls of this step and of every step after it')
    .option('--run-id <id>', 'name the new run (default: a timestamp)')
    .option('--workflow <file>', 'the workflow file, if the run does not record it or it moved')
    .option('--runs-dir <dir>', 'where runs are stored', '.reprise/runs')
    .action(async (run: string, options) =>
      set(await (await import('./fork.js')).forkCommand(run, options, io)),
    );

  program
    .command('answer')
    .description('answer a question of a waiting run (then continue it with run --resume)')
    .argument('<run>', 'run id or "latest"')
    .argument('<step>', 'the ask step')
    .argument('<value>', 'the answer, read as the question expects (true/false, a number, an option, text)')
    .addOption(new Option('--item <n>', 'which item of a fan-out ask').argParser(nonNegativeInt))
    .option('--json', 'VALUE is JSON (an object, a list, a typed value)')
    .option('--by <name>', 'who answers (the answered-by output)')
    .option('--key <key>', "the question's key (or its start), when one step has several open questions")
    .option('--runs-dir <dir>', 'where runs are stored', '.reprise/runs')
    .action(async (run: string, step: string, value: string, options) =>
      set(await (await import('./answer.js')).answerCommand(run, step, value, options, io)),
    );

  program
    .command('validate')
    .description('check workflow files; print every problem as file:line:column')
    .argument('<files...>', 'workflow files')
    .action(async (files: string[]) => set(await (await import('./validate.js')).validateCommand(files, io)));

  program
    .command('graph')
    .description('print a Mermaid flowchart of a workflow')
    .argument('<file>', 'workflow file')
    .action(async (file: string) => set(await (await import('./validate.js')).graphCommand(file, io)));

  const runs = program.command('runs').description('list, inspect and clean up local runs');
  const runsDir = () => new Option('--runs-dir <dir>', 'where runs are stored').default('.reprise/runs');
  runs
    .command('ls')
    .description('list runs, newest first')
    .addOption(runsDir())
    .option('--json', 'print JSON')
    .action(async (options) => set(await (await import('./runs.js')).runsLsCommand(options, io)));
  runs
    .command('show')
    .description('show a run: steps, calls, status, usage')
    .argument('<id>', 'run id or "latest"')
    .addOption(runsDir())
    .option('--json', 'print JSON')
    .option('--calls', 'every call: request, answer, usage, attempt, live or replayed')
    .action(async (id: string, options) =>
      set(await (await import('./runs.js')).runsShowCommand(id, options, io)),
    );
  runs
    .command('read')
    .description('a Markdown transcript of what every call (of STEP) asked and answered')
    .argument('<id>', 'run id or "latest"')
    .argument('[step]', 'only this step (and the steps under it)')
    .addOption(
      new Option('--max-chars <n>', 'cut each answer after this many characters').argParser(positiveInt),
    )
    .addOption(runsDir())
    .action(async (id: string, step: string | undefined, options) =>
      set(await (await import('./read.js')).runsReadCommand(id, step, options, io)),
    );
  runs
    .command('logs')
    .description('print the log of a run started with --background')
    .argument('<id>', 'run id or "latest"')
    .option('-f, --follow', 'keep printing until the run ends')
    .addOption(runsDir())
    .action(async (id: string, options) =>
      set(await (await import('./background.js')).runsLogsCommand(id, options, io)),
    );
  runs
    .command('kill')
    .description('stop a running run as Ctrl-C does (the journal is kept; --resume continues it)')
    .argument('<id>', 'run id or "latest"')
    .addOption(runsDir())
    .action(async (id: string, options) =>
      set(await (await import('./background.js')).runsKillCommand(id, options, io)),
    );
  runs
    .command('rm')
    .description('delete a run')
    .argument('<id>', 'run id')
    .addOption(runsDir())
    .action(async (id: string, options) =>
      set(await (await import('./runs.js')).runsRmCommand(id, options, io)),
    );
  runs
    .command('gc')
    .description('delete runs older than an age')
    .requiredOption('--older-than <age>', 'age, e.g. 7d, 12h, 30m')
    .addOption(runsDir())
    .action(async (options) => set(await (await import('./runs.js')).runsGcCommand(options, io)));

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (caught) {
    if (caught instanceof CommanderError) {
      if (caught.code === 'commander.helpDisplayed' || caught.code === 'commander.version') return EXIT.ok;
      if (caught.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (caught instanceof UsageError || caught instanceof StoreError) {
      io.err.write(`reprise: ${caught.message}\n`);
      return EXIT.usage;
    }
    throw caught;
  }
}

/** How the person started reprise, for the hints we print (`reprise`, `npx reprise`, `node dist/cli.js`). */
export function invokedAs(argv: string[], io: Pick<CliIO, 'cwd' | 'env'>): string {
  const script = argv[1];
  // The installed bin (a link named reprise); npx runs it with npm_command=exec.
  if (script === undefined || /(^|[/\\])reprise$/.test(script)) {
    return io.env.npm_command === 'exec' ? 'npx reprise' : 'reprise';
  }
  const path = relative(io.cwd, script);
  const shown = path.startsWith('..') || isAbsolute(path) ? script : path;
  return `node ${/^[\w./-]+$/.test(shown) ? shown : JSON.stringify(shown)}`;
}

/** Standard output and error (src/cli/fd-stream.ts), the directory and the environment of this process. */
export function standardIO(): CliIO {
  return {
    out: new FdStream(1, () => process.stdout),
    err: new FdStream(2, () => process.stderr),
    cwd: process.cwd(),
    env: process.env,
  };
}
