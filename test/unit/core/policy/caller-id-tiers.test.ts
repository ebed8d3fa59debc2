import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseCallerNumber,
  hasRoom,
  nextRoomAt,
  recordUse,
  type TierUsage,
} from '../../../../functions/core/policy/caller-id-tiers.ts';
import {
  type CallerIdPool,
  CallerIdPoolSchema,
  type CallerTier,
  periodSeconds,
} from '../../../../functions/core/policy/contact-policy.ts';

const tiers = (...input: Array<[string, number]>): CallerTier[] => input.map(([per, max]) => ({ per, max }));
const T0 = Date.parse('2026-03-02T09:00:00Z');

describe('caller number tiers', () => {
  it('allows max calls within a period and not one more', () => {
    const limits = tiers(['PT10S', 2]);
    let usage: TierUsage = {};
    usage = recordUse(usage, limits, new Date(T0));
    expect(hasRoom(usage, limits, new Date(T0 + 1000))).toBe(true);
    usage = recordUse(usage, limits, new Date(T0 + 1000));
    expect(hasRoom(usage, limits, new Date(T0 + 2000))).toBe(false);
    const room = nextRoomAt(usage, limits, new Date(T0 + 2000));
    // The first call's slot (1/60 of the period) must leave the counted span: a little over 10 s after it.
    expect(room.getTime()).toBeGreaterThan(T0 + 10_000);
    expect(room.getTime()).toBeLessThanOrEqual(T0 + 10_000 + 10_000 / 60);
    expect(hasRoom(usage, limits, room)).toBe(true);
  });

  it('keeps at most about 60 slots per tier', () => {
    const limits = tiers(['PT1M', 1_000]);
    let usage: TierUsage = {};
    for (let second = 0; second < 600; second++) usage = recordUse(usage, limits, new Date(T0 + second * 1000));
    expect(Object.keys(usage['60'] ?? {}).length).toBeLessThanOrEqual(61);
  });

  it('never lets a rolling period of any tier hold more than its max', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ per: fc.constantFrom('PT1S', 'PT10S', 'PT1M', 'PT1H'), max: fc.integer({ min: 1, max: 5 }) }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 }),
        (limits, gaps) => {
          let usage: TierUsage = {};
          let now = T0;
          const placed: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (!hasRoom(usage, limits, new Date(now))) continue;
            usage = recordUse(usage, limits, new Date(now));
            placed.push(now);
          }
          return limits.every((tier) => {
            const periodMs = periodSeconds(tier.per) * 1000;
            return placed.every((end) => placed.filter((at) => at <= end && at > end - periodMs).length <= tier.max);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('says when a full number has room again, and that time does have room', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('PT1S', 'PT10S', 'PT1M'),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 50 }),
        (per, max, gaps) => {
          const limits = tiers([per, max]);
          let usage: TierUsage = {};
          let now = T0;
          for (const gap of gaps) {
            now += gap;
            if (hasRoom(usage, limits, new Date(now))) usage = recordUse(usage, limits, new Date(now));
          }
          const room = nextRoomAt(usage, limits, new Date(now));
          return room.getTime() >= now && hasRoom(usage, limits, room);
        },
      ),
    );
  });
});

describe('chooseCallerNumber', () => {
  const pool: CallerIdPool = CallerIdPoolSchema.parse({
    numbers: [
      { number: '+48221110001', prefixes: ['+4822'], tiers: [{ per: 'PT10S', max: 1 }] },
      { number: '+48121110002', prefixes: ['+4812'], tiers: [{ per: 'PT10S', max: 1 }] },
      { number: '+48581110003', tiers: [{ per: 'PT10S', max: 1 }] },
    ],
  });
  const now = new Date(T0);

  it('prefers a local number with room', () => {
    expect(chooseCallerNumber(pool, new Map(), '+48221234567', now)).toEqual({
      kind: 'NUMBER',
      number: '+48221110001',
    });
    expect(chooseCallerNumber(pool, new Map(), '+48121234567', now)).toEqual({
      kind: 'NUMBER',
      number: '+48121110002',
    });
  });

  it('falls back to another number when the local one is full, and says when the pool has room again', () => {
    const full = recordUse({}, [{ per: 'PT10S', max: 1 }], now);
    const usage = new Map([['+48221110001', full]]);
    const choice = chooseCallerNumber(pool, usage, '+48221234567', now, () => 0.5);
    expect(choice.kind).toBe('NUMBER');
    expect(choice.kind === 'NUMBER' && choice.number).not.toBe('+48221110001');
    const allFull = new Map(pool.numbers.map((entry) => [entry.number, full]));
    const exhausted = chooseCallerNumber(pool, allFull, '+48221234567', new Date(T0 + 1000));
    expect(exhausted.kind).toBe('EXHAUSTED');
    expect(exhausted.kind === 'EXHAUSTED' && exhausted.roomAt.getTime()).toBeGreaterThan(T0 + 10_000);
  });
});
