// Bundles the three entry points into committed, self-contained ESM files.
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

const entry = (input, file, banner) => ({
  input,
  output: { file, format: 'es', sourcemap: false, banner, inlineDynamicImports: true },
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
});

export default [
  entry('src/index.ts', 'dist/index.js'),
  entry('src/post.ts', 'dist/post.js'),
  entry('src/cli.ts', 'dist/cli.js', '#!/usr/bin/env node'),
];
