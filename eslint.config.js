// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'test-results/', 'bench-data/', '.scratch/', 'web/dist/', 'web/generated/', 'web/.dist-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Other areas import a folder only through its index.ts (STYLE.md §3).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(\\.\\./)+(catalog|query|store|auth|http|jobs|exports|cli|seed|rating|admin|ingest|analytics|privacy)/(?!index\\.js$)',
          message: 'Import another area of src/ through its index.ts only (STYLE.md §3).',
        }],
      }],
    },
  },
);
