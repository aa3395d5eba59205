/** The version of this package, written to `meta.agenttape_version`. */
export const AGENTTAPE_VERSION: string = (require('../package.json') as { version: string }).version;
