import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineShardCaps, lineShardCount, pickLineShard } from '../../../../functions/core/policy/line-shards.ts';

describe('line shards', () => {
  it('size shards by dial rate, one line each at most', () => {
    expect(lineShardCount({ maxConcurrentCalls: 10, dialsPerSecond: 2 })).toBe(1);
    expect(lineShardCount({ maxConcurrentCalls: 2_700, dialsPerSecond: 14 })).toBe(3);
    expect(lineShardCount({ maxConcurrentCalls: 27_000, dialsPerSecond: 140 })).toBe(28);
    expect(lineShardCount({ maxConcurrentCalls: 3, dialsPerSecond: 140 })).toBe(3);
  });

  it("give every shard its share, adding up to the engine's cap exactly (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0.1, max: 1_000, noNaN: true }),
        (lines, rate) => {
          const shards = lineShardCount({ maxConcurrentCalls: lines, dialsPerSecond: rate });
          const caps = lineShardCaps(lines, shards);
          expect(caps.reduce((sum, cap) => sum + cap, 0)).toBe(lines);
          expect(Math.max(...caps) - Math.min(...caps)).toBeLessThanOrEqual(1);
          expect(Math.min(...caps)).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  it('pick only a shard with a free line, in proportion to its free lines', () => {
    expect(pickLineShard([0, 0, 0])).toBeUndefined();
    expect(pickLineShard([0, -2, 0])).toBeUndefined();
    expect(pickLineShard([0, 3, 0], () => 0.99)).toBe(1);
    const picks = Array.from({ length: 1_000 }, (_, draw) => pickLineShard([1, 3], () => draw / 1_000));
    expect(picks.filter((shard) => shard === 0)).toHaveLength(250);
    expect(picks.filter((shard) => shard === 1)).toHaveLength(750);
  });
});
