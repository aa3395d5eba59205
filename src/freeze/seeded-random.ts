/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the
 * same sequence on every machine and Node version, which `Math.random` never
 * promises. Quality is ample for test data; it is not for cryptography.
 */

/**
 * Returns a function that yields numbers in [0, 1) from a 32-bit seed.
 *
 * @example
 * const random = createSeededRandom(42);
 * random(); // always the same first value for seed 42
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
