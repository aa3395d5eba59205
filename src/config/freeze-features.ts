/**
 * What can be frozen during a test (docs/configuration.md, "Freeze"): the one
 * list the `freeze` configuration key is validated against and the freeze
 * session records in `meta.freeze.features`. A leaf module, so configuration
 * can read it without loading the freeze machinery.
 */

/**
 * The features `freeze` accepts, in the order they are recorded; all of them by default.
 *
 * @example
 * FREEZE_FEATURES.includes('clock'); // true
 */
export const FREEZE_FEATURES = ['clock', 'uuid', 'random'] as const;

/**
 * One feature of {@link FREEZE_FEATURES}.
 *
 * @example
 * const feature: FreezeFeature = 'uuid';
 */
export type FreezeFeature = (typeof FREEZE_FEATURES)[number];
