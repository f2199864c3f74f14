// Bundles the four entry points (action main, action post, the CLI, the library) in one pass into
// committed ESM: dist/index.js, dist/post.js, dist/cli.js, dist/lib.js, plus the chunks they share in
// dist/chunks/. The library's type declarations go to dist/types/ (tsconfig.types.json).
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

export default {
  input: { index: 'src/index.ts', post: 'src/post.ts', cli: 'src/cli.ts', lib: 'src/lib.ts' },
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: false,
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    banner: (chunk) => (chunk.isEntry && chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
  },
  plugins: [
    typescript({ tsconfig: './tsconfig.bundle.json' }),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    commonjs(),
    json(),
  ],
  onwarn(warning, warn) {
    // The toolkit and SDKs use `this` at module scope and circular imports; both are harmless in a bundle.
    if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};
