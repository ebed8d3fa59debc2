import { describe, expect, it } from 'vitest';
import { createTokenBucket, slotOffsetMs, tickAllowance } from '../../../../functions/core/policy/pacing.ts';
import { unusedTokenCredit } from '../../../../functions/use-cases/dialing/dial-tokens.ts';

const T0 = new Date('2026-03-02T09:00:00Z');

describe('unusedTokenCredit', () => {
  it('gives back every unused token while the bucket never filled up meanwhile', () => {
    // Empty bucket, 2/s: slots at 0.5 s … 5 s take each token as it arrives; the last 4 go unused.
    const start = { ...createTokenBucket({ ratePerSecond: 2, burst: 5 }, T0), tokens: 0 };
    const planned = Array.from({ length: 10 }, (_, slot) => (slot + 1) * 500);
    const credit = unusedTokenCredit(start, T0, planned, planned.slice(0, 6), new Date(T0.getTime() + 5_000));
    expect(credit).toBeCloseTo(4, 9);
  });

  it('gives back only what Connect kept when the unused slots came first and the bucket was full', () => {
    // Full bucket (5), 2/s: a 5 s tick affords 14 slots; the first 9 find no free line, the last 5 dial.
    const start = createTokenBucket({ ratePerSecond: 2, burst: 5 }, T0);
    const slots = tickAllowance(start, T0, 5);
    expect(slots).toBe(14);
    const planned = Array.from({ length: slots }, (_, slot) => slotOffsetMs(slot, slots, 5));
    const credit = unusedTokenCredit(start, T0, planned, planned.slice(9), new Date(T0.getTime() + 5_000));
    // Connect stays full (5) until 3.57 s, then 5 requests with 5 × 0.714 refilled: 2.86 left. The engine took
    // all 14 and holds 0.29: it may give back 2.57, not the 9 unused slots.
    expect(credit).toBeCloseTo(2.571, 2);
  });

  it('gives nothing back when every slot dialled', () => {
    const start = createTokenBucket({ ratePerSecond: 14, burst: 14 }, T0);
    const planned = Array.from({ length: 84 }, (_, slot) => Math.ceil(((slot + 1) * 5_000) / 84));
    expect(unusedTokenCredit(start, T0, planned, planned, new Date(T0.getTime() + 6_000))).toBe(0);
  });
});
