// Runs the real journal and store modules in a separate Node process. Node 20 cannot run
// TypeScript, so the sources are transpiled (types erased, nothing else) into a temporary directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { tempDir } from './temp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let compiled: string | undefined;

/** A directory holding `src/journal/*.js` and `src/stores/{local,errors}.js`, compiled once per test file. */
export function compiledSources(): string {
  if (compiled !== undefined) return compiled;
  const out = tempDir('reprise-compiled-');
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  const files = [
    ...readdirSync(join(root, 'src/journal')).map((name) => `src/journal/${name}`),
    'src/stores/local.ts',
    'src/stores/errors.ts',
    'src/agents/types.ts',
  ].filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const source = readFileSync(join(root, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  compiled = out;
  return out;
}

/** Starts `node` on an ES module script that can import `./src/...` (the compiled sources). */
export function spawnScript(script: string, args: string[] = []): ChildProcess {
  const dir = compiledSources();
  const path = join(dir, `script-${process.pid}-${Math.random().toString(16).slice(2)}.mjs`);
  writeFileSync(path, script);
  return spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line that satisfies `predicate`; rejects if the process exits first. */
export function waitForLine(child: ChildProcess, predicate: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        if (predicate(line)) {
          child.stdout?.off('data', onData);
          resolve(line);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before the expected output; stderr: ${stderr}`)),
    );
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
