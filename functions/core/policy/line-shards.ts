/**
 * The engine's lines, split over shards so that taking and releasing a line never writes one engine-wide item
 * (docs/data-model.md, "Hot keys"). Shard `k` may hold `caps[k]` live calls; the caps add up to
 * `maxConcurrentCalls` exactly, so the cap holds however the calls spread.
 */

/**
 * Dial rate one shard is sized for. Each dial writes its shard twice (take, release) in a transaction; at 5
 * dials/s that is 10 transactions/s per item, so even with DynamoDB holding an item for 10 ms per transaction
 * about one claim in ten meets a conflict, and is retried.
 */
export const DIALS_PER_LINE_SHARD = 5;

/** Most shards the engine uses (a dispatcher reads them all once per tick). */
export const MAX_LINE_SHARDS = 100;

/** How many line shards the caps call for: one per {@link DIALS_PER_LINE_SHARD} dials/s, at most one per line. */
export function lineShardCount(caps: { maxConcurrentCalls: number; dialsPerSecond: number }): number {
  const wanted = Math.ceil(caps.dialsPerSecond / DIALS_PER_LINE_SHARD);
  return Math.max(1, Math.min(wanted, caps.maxConcurrentCalls, MAX_LINE_SHARDS));
}

/** Each shard's share of the lines: as even as whole lines allow, adding up to `maxConcurrentCalls`. */
export function lineShardCaps(maxConcurrentCalls: number, shards: number): number[] {
  const base = Math.floor(maxConcurrentCalls / shards);
  const extra = maxConcurrentCalls % shards;
  return Array.from({ length: shards }, (_, shard) => base + (shard < extra ? 1 : 0));
}

/**
 * The shard to take the next line from: chosen at random in proportion to its free lines, so that dispatchers
 * of several campaigns, each working from its own view, spread their claims instead of all picking the emptiest
 * shard. `undefined` when no shard has a free line.
 */
export function pickLineShard(free: readonly number[], random: () => number = Math.random): number | undefined {
  let total = 0;
  for (const lines of free) total += Math.max(0, lines);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (let shard = 0; shard < free.length; shard++) {
    const lines = Math.max(0, free[shard] ?? 0);
    if (point < lines) return shard;
    point -= lines;
  }
  return free.findLastIndex((lines) => lines > 0);
}
