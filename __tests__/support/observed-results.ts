/**
 * What a fixture test's client observed, written by the fixture and read back
 * by the test that spawned it, so a record run and a replay run can be compared.
 */
import type { FixtureProject } from './packed-project';

/**
 * The fixture-side module, written as `observed.js`: `save(name, value)` stores
 * a value under `results/<RUN_LABEL>/<name>.json`.
 */
const OBSERVED_MODULE = `
const fs = require('node:fs');
const path = require('node:path');

/** Saves what a client observed under results/<RUN_LABEL>/<name>.json. */
exports.save = (name, value) => {
  const dir = path.join(__dirname, 'results', process.env.RUN_LABEL);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name + '.json'), JSON.stringify(value, null, 2));
};
`;

/**
 * Writes `observed.js` into a fixture project; its tests `require('./observed').save(...)`.
 *
 * @example
 * writeObservedModule(fixture);
 * fixture.write('a.test.js', "const { save } = require('./observed'); test('x', () => save('x', 1));");
 */
export function writeObservedModule(fixture: FixtureProject): void {
  fixture.write('observed.js', OBSERVED_MODULE);
}

/**
 * Reads what a run labelled `label` (its `RUN_LABEL`) saved under `name`.
 *
 * @example
 * expect(readObserved(fixture, 'replay', 'chat')).toEqual(readObserved(fixture, 'record', 'chat'));
 */
// JSON.parse's `any`: each test reads back the shape its own fixture saved.
export function readObserved(fixture: FixtureProject, label: string, name: string) {
  return JSON.parse(fixture.read(`results/${label}/${name}.json`));
}
