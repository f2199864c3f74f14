// Bundles the four entry points (action main, action post, the CLI, the library) in one pass into
// committed ESM: dist/index.js, dist/post.js, dist/cli.js, dist/lib.js, plus the chunks they share in
// dist/chunks/. The library's type declarations go to dist/types/ (tsconfig.types.json). The published
// package is dist/ and nothing else at run time, so the bundle is minified, carries the licenses of
// what it contains (dist/licenses.txt) and source maps that point at src/ only (bench/README.md has
// the sizes).
import { decode, encode } from '@jridgewell/sourcemap-codec';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import MagicString from 'magic-string';
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import license from 'rollup-plugin-license';

/** Files of reprise's own sources (src/), as rollup names them. */
const OWN_SOURCES = new RegExp(`^${escapeRegExp(fileURLToPath(new URL('./src/', import.meta.url)))}`);

export default {
  input: { index: 'src/index.ts', post: 'src/post.ts', cli: 'src/cli.ts', lib: 'src/lib.ts' },
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: true,
    sourcemapExcludeSources: true,
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    manualChunks: runPathInOneChunk(),
    banner: (chunk) => (chunk.isEntry && chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    plugins: [
      // Whitespace and local names only: `compress` costs minutes on 2 cores and saves little more.
      // Class and function names stay, because SDKs read `constructor.name` in their errors.
      terser({
        compress: false,
        mangle: true,
        keep_classnames: true,
        keep_fnames: true,
        maxWorkers: 2,
        format: { ascii_only: true },
      }),
      builtinsWithoutFacades(),
      sourceMapsOfOwnCode(),
    ],
  },
  treeshake: {
    // @actions/core imports the toolkit's HTTP client (for OIDC tokens) and @actions/exec (for platform
    // details) at module level; neither runs anything when imported. Saying so lets rollup leave them, and
    // undici under the HTTP client, out of the chunk the action's host loads at every start: main's first
    // line and a post step with nothing to save do not wait for them. @actions/cache and @actions/artifact
    // still get them, in their own lazily imported chunks.
    moduleSideEffects: (id) => !/node_modules\/@actions\/(http-client|exec)\//.test(id),
  },
  plugins: [
    lazyModule('undici', /node_modules\/@actions\/http-client\//, 'lazy-undici.cjs'),
    lazyModule('node:child_process', /node_modules\/commander\//, 'lazy-child-process.cjs'),
    lazyModule('yaml', OWN_SOURCES, 'lazy-yaml.cjs'),
    typescriptWithoutTypes('./tsconfig.bundle.json'),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    commonjs(),
    json(),
    license({ thirdParty: { output: 'dist/licenses.txt', includePrivate: false } }),
  ],
  onwarn(warning, warn) {
    // The toolkit and SDKs use `this` at module scope and circular imports; both are harmless in a bundle.
    if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};

/**
 * Puts every module a run needs as soon as it starts (what `src/cli/run.ts` imports statically, reprise's and
 * the libraries') into one chunk, `run`. Left to itself, rollup splits them by which entries and dynamic
 * imports share them: a resume of the CLI loaded some 30 chunks, and resolving and linking each module costs
 * Node about a third of a millisecond at every start. What loads later (provider SDKs, MCP, the stores of
 * the action, a sub-command's own module) keeps its chunk; the action's post step, which imports none of
 * these, still loads two small chunks when it has nothing to save.
 */
function runPathInOneChunk() {
  const source = (path) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));
  let runPath;
  let early;
  return (id, { getModuleInfo }) => {
    if (runPath === undefined) {
      const staticImports = (from) => {
        const seen = new Set();
        const pending = [from];
        while (pending.length > 0) {
          const next = pending.pop();
          if (seen.has(next)) continue;
          seen.add(next);
          pending.push(...(getModuleInfo(next)?.importedIds ?? []));
        }
        return seen;
      };
      runPath = staticImports(source('cli/run.ts'));
      // What the entry points load before they know what to do stays out: `--help`, `--version` and a post
      // step with nothing to save do not load the run. (Named, or rollup would pull them into `run` with it.)
      early = new Map();
      for (const entry of ['cli.ts', 'cli/program.ts', 'index.ts', 'post.ts'])
        for (const module of staticImports(source(entry)))
          if (runPath.has(module) && !early.has(module)) early.set(module, entry);
    }
    if (early.has(id)) return 'early';
    return runPath.has(id) ? 'run' : undefined;
  };
}

/**
 * reprise's TypeScript, each file transpiled on its own (`ts.transpileModule`): the sources are written for
 * it (`isolatedModules`, `verbatimModuleSyntax`), so the output is what a whole-program emit gives, and the
 * types are checked by `npm run build` (tsc), as CI does. @rollup/plugin-typescript built and type-checked
 * a program of every source and declaration first, a fifth of the bundle's time.
 */
function typescriptWithoutTypes(tsconfig) {
  const path = fileURLToPath(new URL(tsconfig, import.meta.url));
  const { config, error } = ts.readConfigFile(path, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(path));
  const compilerOptions = { ...options, sourceMap: true, inlineSourceMap: false, declaration: false };
  return {
    name: 'typescript-without-types',
    resolveId(source, importer) {
      // The sources import each other as `./x.js`, as Node and tsc want; the file is `./x.ts`.
      if (!OWN_SOURCES.test(importer ?? '') || !source.startsWith('.') || !source.endsWith('.js'))
        return null;
      const file = resolve(dirname(importer), `${source.slice(0, -3)}.ts`);
      return existsSync(file) ? file : null;
    },
    transform(code, id) {
      if (!OWN_SOURCES.test(id) || !id.endsWith('.ts')) return null;
      const { outputText, sourceMapText } = ts.transpileModule(code, { compilerOptions, fileName: id });
      const map = JSON.parse(sourceMapText);
      map.sources = [id];
      return { code: outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map };
    },
  };
}

/**
 * Imports Node's own modules with `process.getBuiltinModule` instead of `import`. An ESM import of a builtin
 * builds its module namespace, which reads every export, lazy ones included: importing `node:fs`, `crypto`,
 * `util` and `process` loaded and compiled about 90 further internal modules (web crypto, fs streams,
 * worker threads, diffing...) that a run never uses, some 20 ms of every start of the CLI and the action.
 * `getBuiltinModule` returns the module itself (the same object an import's default export is).
 *
 * The builtins of LAZY_BUILTINS cost milliseconds to load and many commands never call them: their
 * functions, imported by name, become functions that load the module when first called. `node:zlib` and
 * `node:fs/promises` load Node's streams (and readline) with them, `node:child_process` net, dgram and the
 * streams (about 8 ms); a resume that replays every call calls none of them. (Not `node:crypto`: every run hashes, once per call.) Only plain functions are made lazy
 * (checked here, against the builtin itself); a class or a value is imported as it is.
 */
const LAZY_BUILTINS = new Set([
  'node:child_process',
  'node:fs/promises',
  'node:os',
  'node:stream/promises',
  'node:timers/promises',
  'node:v8',
  'node:zlib',
]);

function builtinsWithoutFacades() {
  const isPlainFunction = (value) =>
    typeof value === 'function' &&
    !/^class\b/.test(Function.prototype.toString.call(value)) &&
    !/^[A-Z]/.test(value.name);
  return {
    name: 'builtins-without-facades',
    renderChunk(code) {
      const out = new MagicString(code);
      const lazyDeclared = new Set();
      for (const node of this.parse(code).body) {
        if (node.type !== 'ImportDeclaration' || !isBuiltin(node.source.value)) continue;
        const source = node.source.value;
        const module = `globalThis.process.getBuiltinModule(${JSON.stringify(source)})`;
        const named = [];
        const whole = [];
        for (const specifier of node.specifiers) {
          if (specifier.type === 'ImportSpecifier') {
            named.push([specifier.imported.name ?? specifier.imported.value, specifier.local.name]);
          } else whole.push(specifier.local.name);
        }
        const id = source.startsWith('node:') ? source : `node:${source}`;
        const builtin = process.getBuiltinModule(id);
        if (
          LAZY_BUILTINS.has(id) &&
          whole.length === 0 &&
          named.length > 0 &&
          named.every(([imported]) => isPlainFunction(builtin[imported]))
        ) {
          const cache = `$builtin_${id.replace(/\W/g, '_')}`;
          const declare = lazyDeclared.has(cache) ? '' : `let ${cache};`;
          lazyDeclared.add(cache);
          const functions = named.map(
            ([imported, local]) =>
              `${local}=(...a)=>(${cache}??=${module})[${JSON.stringify(imported)}](...a)`,
          );
          out.overwrite(node.start, node.end, `${declare}const ${functions.join(',')};`);
          continue;
        }
        const declarations = [
          ...whole.map((name) => `${name}=${module}`),
          ...(named.length > 0
            ? [
                `{${named.map(([imported, local]) => `${JSON.stringify(imported)}:${local}`).join(',')}}=${module}`,
              ]
            : []),
        ];
        out.overwrite(
          node.start,
          node.end,
          declarations.length > 0 ? `const ${declarations.join(',')};` : '',
        );
      }
      return out.hasChanged() ? { code: out.toString(), map: out.generateMap({ hires: 'boundary' }) } : null;
    },
  };
}

/**
 * Hands the importers `importers` matches a module of scripts/bundle/ for `source`, one that loads the real
 * module only when it is first used:
 * - @actions/http-client, `undici` (lazy-undici.cjs): its ProxyAgent is used only for a fetch through a
 *   proxy, yet undici was evaluated wherever the client loads;
 * - commander, `node:child_process` (lazy-child-process.cjs): needed only for executable subcommands, which
 *   reprise has none of;
 * - reprise's own modules, `yaml` (lazy-yaml.cjs): a resume of an unchanged workflow parses no YAML.
 */
function lazyModule(source, importers, shimFile) {
  const shim = fileURLToPath(new URL(`./scripts/bundle/${shimFile}`, import.meta.url));
  return {
    name: `lazy-${shimFile.replace(/\.cjs$/, '')}`,
    resolveId(id, importer) {
      return id === source && importer !== undefined && importers.test(importer) ? shim : null;
    },
  };
}

/**
 * Keeps only the mappings into src/: a stack trace through reprise's own code names its file and line
 * (src/stack-traces.ts reads the map when a stack is printed), and the maps stay small (the full maps of the bundled SDKs would double the package). A chunk with no
 * code of ours gets no map at all.
 */
function sourceMapsOfOwnCode() {
  return {
    name: 'source-maps-of-own-code',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.map) continue;
        const mapFile = `${chunk.fileName}.map`;
        const asset = bundle[mapFile];
        const map = JSON.parse(typeof asset?.source === 'string' ? asset.source : chunk.map.toString());
        const keep = map.sources.map(
          (source) => /(^|\/)src\//.test(source) && !source.includes('node_modules'),
        );
        const sources = [];
        const renumber = map.sources.map((source, index) => (keep[index] ? sources.push(source) - 1 : -1));
        // Where other code follows ours, a segment with no source says so: a frame in a bundled SDK is then
        // left unmapped instead of being named after the nearest line of ours before it.
        let ownBefore = false;
        const lines = decode(map.mappings).map((line) =>
          line.flatMap((segment) => {
            if (segment.length >= 4 && keep[segment[1]]) {
              ownBefore = true;
              return [[segment[0], renumber[segment[1]], segment[2], segment[3]]];
            }
            if (!ownBefore) return [];
            ownBefore = false;
            return [[segment[0]]];
          }),
        );
        // Node's map parser (20, 24) reads a source-less segment that ends the mappings as mapped: an empty
        // line after it ends it with a separator.
        if (lines.at(-1)?.at(-1)?.length === 1) lines.push([]);
        const comment = `\n//# sourceMappingURL=${mapFile.split('/').pop()}`;
        if (sources.length === 0) {
          delete bundle[mapFile];
          chunk.code = chunk.code.replace(comment, '');
          continue;
        }
        const own = { version: 3, file: map.file, sources, names: [], mappings: encode(lines) };
        if (asset) asset.source = JSON.stringify(own);
      }
    },
  };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
