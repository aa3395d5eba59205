/** The version of this package, written to `meta.agenttape_version`. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AGENTTAPE_VERSION: string = (require('../package.json') as { version: string }).version;
