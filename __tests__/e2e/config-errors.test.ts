/**
 * Modes and configuration (docs/configuration.md) end to end: an invalid mode or an unknown configuration key
 * stops the test file with a ConfigError that names the culprit and the valid
 * choices, before any request is made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFixture, type FixtureProject } from '../support/packed-project';
import { runJson } from '../support/jest-json';

const PLAIN_TEST = `
test('plain', () => {
  expect(1).toBe(1);
});
`;

const BAD_DOCBLOCK_TEST = `/**
 * @agenttape-mode sometimes
 */
test('docblock', () => {
  expect(1).toBe(1);
});
`;

const BAD_USE_TEST = `
const { cassette } = require('agenttape');
test('use', () => {
  cassette.use({ mode: 'replay' });
});
`;

const VALID_MODES = 'Valid modes: none, once, new_episodes, all, record.';

describe('configuration errors', () => {
  let fixture: FixtureProject;

  beforeAll(() => {
    fixture = createFixture('config-errors');
    fixture.write('plain.test.js', PLAIN_TEST);
  });
  afterAll(() => fixture.remove());

  test('an invalid AGENTTAPE_MODE fails every file with a ConfigError listing every valid mode', async () => {
    const run = await runJson(fixture, [], { AGENTTAPE_MODE: 'recrd' });
    expect(run.status).toBe(1);
    expect(run.file('plain.test.js').status).toBe('failed');
    expect(run.file('plain.test.js').message).toContain(`ConfigError: Invalid mode "recrd" in the AGENTTAPE_MODE environment variable. ${VALID_MODES}`);
  });

  test('an invalid mode in a docblock or cassette.use names where it was set; other files still run', async () => {
    fixture.write('docblock.test.js', BAD_DOCBLOCK_TEST);
    fixture.write('use.test.js', BAD_USE_TEST);
    const run = await runJson(fixture);
    expect(run.file('docblock.test.js').status).toBe('failed');
    expect(run.file('docblock.test.js').message).toContain(`Invalid mode "sometimes" in the @agenttape-mode docblock of docblock.test.js. ${VALID_MODES}`);
    expect(run.test('use').status).toBe('failed');
    expect(run.test('use').failureMessages.join('\n')).toContain(`Invalid mode "replay" in cassette.use(). ${VALID_MODES}`);
    expect(run.test('plain').status).toBe('passed');
    fs.rmSync(path.join(fixture.dir, 'docblock.test.js'));
    fs.rmSync(path.join(fixture.dir, 'use.test.js'));
  });

  test('an unknown key in agenttape.config.json names the key and the file', async () => {
    fixture.write('agenttape.config.json', JSON.stringify({ cassetteDirectory: 'tapes' }));
    const run = await runJson(fixture);
    expect(run.file('plain.test.js').status).toBe('failed');
    expect(run.file('plain.test.js').message).toContain(`ConfigError: Unknown option "cassetteDirectory" in ${path.join(fixture.dir, 'agenttape.config.json')}. Valid keys: cassetteDir, mode,`);
    fs.rmSync(path.join(fixture.dir, 'agenttape.config.json'));
  });

  test('an invalid redaction pattern stops the run with a ConfigError instead of being skipped', async () => {
    fixture.write('agenttape.config.json', JSON.stringify({ redact: { patterns: ['ACME-[0-9'] } }));
    const run = await runJson(fixture);
    fs.rmSync(path.join(fixture.dir, 'agenttape.config.json'));
    expect(run.status).toBe(1);
    expect(run.file('plain.test.js').status).toBe('failed');
    expect(run.file('plain.test.js').message).toContain(`ConfigError: Invalid pattern "ACME-[0-9" in "redact.patterns" in ${path.join(fixture.dir, 'agenttape.config.json')}: Invalid regular expression`);
  });

  test('an unknown key or a bad value in testEnvironmentOptions.agenttape names the key', async () => {
    fixture.write('jest.config.js', `module.exports = ${JSON.stringify({ preset: 'agenttape', rootDir: '.', testEnvironmentOptions: { agenttape: { mode: 'none', matchHeader: true } } })};\n`);
    const unknown = await runJson(fixture);
    expect(unknown.file('plain.test.js').message).toContain('ConfigError: Unknown option "matchHeader" in testEnvironmentOptions.agenttape. Valid keys: cassetteDir, mode,');

    fixture.write('jest.config.js', `module.exports = ${JSON.stringify({ preset: 'agenttape', rootDir: '.', testEnvironmentOptions: { agenttape: { freeze: ['clock', 'weather'] } } })};\n`);
    const badValue = await runJson(fixture);
    expect(badValue.file('plain.test.js').message).toContain('ConfigError: Invalid value "weather" in "freeze" in testEnvironmentOptions.agenttape. Allowed values: clock, uuid, random.');
  });
});
