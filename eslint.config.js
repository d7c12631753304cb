// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Other areas import a folder only through its index.ts (STYLE.md §3).
const INDEX_ONLY = {
  regex: '^(\\.\\./)+(catalog|query|store|auth|http|jobs|exports|cli|seed|rating|admin|ingest|analytics|privacy)/(?!index\\.js$)',
  message: 'Import another area of src/ through its index.ts only (STYLE.md §3).',
};
// The composition root is used by the edges that start the service (server.ts, the CLI), never by
// the rooms it wires (docs/architecture.md).
const APP_SERVICES_AT_EDGES = {
  regex: '^(\\./|(\\.\\./)+)app-services\\.js$',
  message: 'Only src/http/server.ts and src/cli/ import the composition root (src/app-services.ts); pass what a room needs in as arguments.',
};
// The store's arrows (docs/architecture.md): it imports none of the rooms above it.
const STORE_BELOW_ROOMS = {
  regex: '^(\\.\\./)+(auth|http|jobs|exports|cli|admin|ingest|analytics|privacy|rating|seed)/',
  message: 'src/store must not import the rooms above it (docs/architecture.md): they call the store.',
};

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
        patterns: [INDEX_ONLY, APP_SERVICES_AT_EDGES],
      }],
    },
  },
  {
    files: ['src/http/server.ts', 'src/cli/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [INDEX_ONLY],
      }],
    },
  },
  {
    // The store's arrows (docs/architecture.md, issue 21): it stores and does not decide, so it
    // imports none of the rooms above it; the statements in store/sql are written once, so they
    // import neither backend. Restating the index.ts rule here keeps
    // it: a later no-restricted-imports replaces an earlier one for the same files.
    files: ['src/store/**/*.ts'],
    ignores: ['src/store/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [INDEX_ONLY, APP_SERVICES_AT_EDGES, STORE_BELOW_ROOMS],
      }],
    },
  },
  {
    files: ['src/store/sql/**/*.ts', 'src/store/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [INDEX_ONLY, APP_SERVICES_AT_EDGES, STORE_BELOW_ROOMS, {
          regex: '^\\.\\./(duckdb|postgres)/',
          message: 'Statements in store/sql (and the contract) are written once: they call SqlDialect hooks, never a backend.',
        }],
      }],
    },
  },
  {
    // The backends are peers: what both need is in store/sql or the contract.
    files: ['src/store/postgres/**/*.ts'],
    ignores: ['src/store/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [INDEX_ONLY, APP_SERVICES_AT_EDGES, STORE_BELOW_ROOMS, {
          regex: '^(\\.\\./)+duckdb/',
          message: 'store/postgres never imports store/duckdb: what both backends need lives in store/sql or store/contract.',
        }],
      }],
    },
  },
);
