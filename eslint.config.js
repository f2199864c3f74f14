import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The precompiled workflow validator is generated (scripts/generate-workflow-validator.mjs), not written.
  {
    ignores: [
      'dist/',
      'node_modules/',
      'build/',
      'coverage/',
      '.reprise/',
      'src/workflow/workflow-validator.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // CommonJS on purpose (a require that runs late; see the file).
  {
    files: ['**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
