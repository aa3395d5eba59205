/**
 * YAML in tests, with the one YAML library the package uses (js-yaml, core
 * schema as cassettes are read, so dates stay strings).
 */
import { CORE_SCHEMA, dump, load } from 'js-yaml';

/**
 * Parses YAML text into plain values, typed loosely for assertions.
 *
 * @example
 * expect(parseYaml(fs.readFileSync(file, 'utf8')).interactions).toHaveLength(1);
 */
export function parseYaml(text: string): any {
  return load(text, { schema: CORE_SCHEMA });
}

/**
 * Renders plain values as block YAML (no anchors, no folding).
 *
 * @example
 * parseCassette(stringifyYaml(doc), 'a.yaml');
 */
export function stringifyYaml(value: unknown): string {
  return dump(value, { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true, skipInvalid: true });
}
