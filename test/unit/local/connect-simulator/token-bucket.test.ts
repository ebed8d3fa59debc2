import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../local/connect-simulator/token-bucket.ts';

describe('TokenBucket', () => {
  it('admits a full burst, then one request per 1/rate seconds', () => {
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 5 });

    const burst = Array.from({ length: 6 }, () => bucket.tryTake(0));
    const tooEarly = bucket.tryTake(499);
    const onTime = bucket.tryTake(500);

    expect(burst).toEqual([true, true, true, true, true, false]);
    expect(tooEarly).toBe(false);
    expect(onTime).toBe(true);
  });

  it('never holds more than the burst after a long idle period', () => {
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 5 });
    bucket.tryTake(0);

    expect(bucket.available(3_600_000)).toBe(5);
  });

  it('does not mint tokens when the clock steps backwards', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 });
    bucket.tryTake(10_000);

    const afterStepBack = [bucket.tryTake(5_000), bucket.tryTake(10_500)];

    expect(afterStepBack).toEqual([false, false]);
    expect(bucket.tryTake(11_000)).toBe(true);
  });

  it('rejects nonsensical settings', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 5 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 2, burst: 0 })).toThrow(RangeError);
  });

  it('never admits more than burst + rate × t in any window of t seconds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 300 }),
        (ratePerSecond, burst, requestTimes) => {
          const bucket = new TokenBucket({ ratePerSecond, burst });
          const admitted = [...requestTimes].sort((a, b) => a - b).filter((time) => bucket.tryTake(time));
          for (let first = 0; first < admitted.length; first += 1) {
            for (let last = first; last < admitted.length; last += 1) {
              const windowSeconds = ((admitted[last] ?? 0) - (admitted[first] ?? 0)) / 1000;
              const admits = last - first + 1;
              if (admits > burst + ratePerSecond * windowSeconds + 1e-9) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('admits every request spaced at least 1/rate apart', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 100 }),
        (ratePerSecond, extraGaps) => {
          const bucket = new TokenBucket({ ratePerSecond, burst: 1 });
          let time = 0;
          return extraGaps.every((extra) => {
            time += Math.ceil(1000 / ratePerSecond) + extra;
            return bucket.tryTake(time);
          });
        },
      ),
    );
  });
});
