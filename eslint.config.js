// @ts-check
/**
 * ESLint for the whole repository: type-aware typescript-eslint rules on src/
 * and __tests__/, the plain JavaScript rules on the CommonJS scripts (bench/,
 * scripts/, examples/, jest-preset.js). `noInlineConfig` makes every
 * `eslint-disable` comment inert: an exception to a rule is written here, for
 * named files, with the reason beside it (see docs/contributing.md).
 */
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const { defineConfig, globalIgnores } = require('eslint/config');

module.exports = defineConfig([
  globalIgnores(['dist/', 'coverage/', '.tmp/', '**/node_modules/', '**/cassettes/', '.ci/node24/']),
  {
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022, globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.test.js'],
    languageOptions: { globals: { ...globals.jest } },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      // Real bugs: a promise nobody awaits, or one handed where a callback's result is ignored.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A recorded throw is replayed as it was, Error or not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `typeof import('x')` stays allowed: it types the lazy require()s listed below.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `import x = require('node:crypto')` is a typed import (used where a module's own object must be patched).
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // Off, with reasons. Cassette values are `Json`: String(value) on one is
      // the intended rendering (a scalar in practice, JSON text is never wanted there).
      '@typescript-eslint/no-base-to-string': 'off',
      // An `async` function that does not await still turns a throw into a
      // rejection, which the interception and tool wrappers rely on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Lazy loads, on purpose: each module here defers a costly or
    // process-patching dependency until first use (cold start of every Jest
    // worker; see docs/interception.md). Everywhere else, `import`.
    files: ['src/cassette/cassette-json.ts', 'src/http/request-interception.ts', 'src/report/difference-text.ts', 'src/jest/matchers.ts', 'src/jest/ts-transformer.ts', 'src/use-cassette.ts', 'src/version.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // `declare global { namespace jest { ... } }` is how Jest's matcher types are extended.
    files: ['src/jest/matchers-types.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    // Tests read untyped YAML/JSON cassettes and child-process output and
    // poke at them: the `any` rules would only add casts. The fixtures under
    // __tests__/fixtures/ are plain CommonJS, reached with require().
    files: ['__tests__/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/fixtures/'], allowAsImport: true }],
    },
  },
]);
