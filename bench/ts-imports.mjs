// Lets Node 24 run the project's TypeScript sources from a benchmark script: they import each other as
// `./x.js` (as tsc wants), which this maps to `./x.ts` when no `.js` file is there. Import it first.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
