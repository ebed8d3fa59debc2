/**
 * Deterministic randomness for the simulator.
 *
 * Every random decision draws from a stream derived from the scenario seed plus a stable key
 * (destination number, attempt, event type), never from a single shared stream: a call's fate then
 * does not depend on how concurrent requests happened to interleave, so a seed reproduces a run.
 */

/** A source of uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/** A duration in milliseconds: either fixed, or drawn uniformly from `[min, max]`. */
export type DurationRange = number | { min: number; max: number };

/** mulberry32: a tiny, fast 32-bit PRNG, good enough for simulation (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a (32-bit) over the parts joined by NUL: turns a seed plus a key into a stream seed. */
export function hashSeed(...parts: ReadonlyArray<string | number>): number {
  const text = parts.join('\u0000');
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** An independent, reproducible stream for one key, e.g. `randomStream(seed, 'callee', '+48600000001', 0)`. */
export function randomStream(seed: number, ...key: ReadonlyArray<string | number>): Random {
  return mulberry32(hashSeed(seed, ...key));
}

/** Draws a duration (ms, integer) from a range; always consumes exactly one draw so streams stay aligned. */
export function sampleDuration(random: Random, range: DurationRange): number {
  const draw = random();
  if (typeof range === 'number') {
    return Math.round(range);
  }
  return Math.round(range.min + draw * (range.max - range.min));
}

/** Picks one key by weight (weights need not sum to 1); always consumes exactly one draw. */
export function pickWeighted<Key extends string>(random: Random, weights: ReadonlyArray<readonly [Key, number]>): Key {
  const draw = random();
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let threshold = draw * total;
  let last: Key | undefined;
  for (const [key, weight] of weights) {
    if (weight <= 0) continue;
    last = key;
    if (threshold < weight) return key;
    threshold -= weight;
  }
  if (last === undefined) {
    throw new Error('pickWeighted needs at least one positive weight');
  }
  return last;
}

/** Picks one element uniformly; always consumes exactly one draw. */
export function pickOne<Item>(random: Random, items: readonly [Item, ...Item[]]): Item {
  const draw = random();
  return items[Math.min(items.length - 1, Math.floor(draw * items.length))] ?? items[0];
}
