/**
 * `preset: 'agenttape'`: the AgentTape environment, its matchers, its run
 * summary after Jest's own reporter, and ts-jest for TypeScript tests. Paths are absolute so the preset works from any
 * project layout; a project's own setupFilesAfterEnv run after ours. ts-jest is
 * reached through dist/jest/ts-transformer.js, which loads it (and the
 * TypeScript compiler) only when a TypeScript file is transformed.
 */
module.exports = {
  testEnvironment: require.resolve('./dist/jest/environment.js'),
  setupFilesAfterEnv: [require.resolve('./dist/jest/matchers.js')],
  reporters: ['default', require.resolve('./dist/jest/reporter.js')],
  transform: {
    '^.+\\.tsx?$': [require.resolve('./dist/jest/ts-transformer.js'), { diagnostics: { warnOnly: false } }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'json', 'node'],
};
