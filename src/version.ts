/**
 * The version of this package, written to `meta.agenttape_version`.
 *
 * @example
 * tape.toDocument(AGENTTAPE_VERSION, new Date());
 */
export const AGENTTAPE_VERSION: string = (require('../package.json') as { version: string }).version;
