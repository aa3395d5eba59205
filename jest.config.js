/** The project's own test suite (not the preset users get: see jest-preset.js). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // The big-suite tests (hundreds of spawned test files) run in `npm run test:heavy`, which .ci/run also runs.
  testPathIgnorePatterns: process.env.AGENTTAPE_HEAVY === '1' ? [] : ['/__tests__/heavy/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/__tests__/tsconfig.json' }] },
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  testTimeout: 120000,
  // End-to-end tests each spawn Jest; two workers keep the 2-core machines busy without thrashing.
  maxWorkers: 2,
};
