import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjustRate,
  availableTokens,
  type CampaignDemand,
  createTokenBucket,
  planTick,
  refill,
  requiredFlowConcurrency,
  slotOffsetMs,
  type TickInput,
  take,
  takeScheduled,
  tickAllowance,
  validateCaps,
  withRate,
} from '../../../../functions/core/policy/pacing.ts';

const T0 = Date.UTC(2025, 4, 6, 8, 0, 0);
const atMs = (ms: number) => new Date(T0 + ms);

describe('token bucket', () => {
  it('starts full and refills at the configured rate up to the burst', () => {
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 5 }, atMs(0));
    expect(availableTokens(bucket, atMs(0))).toBe(5);
    const drained = take(bucket, 10, atMs(0));
    expect(drained.taken).toBe(5);
    expect(availableTokens(drained.state, atMs(499))).toBe(0);
    expect(availableTokens(drained.state, atMs(500))).toBe(1);
    expect(availableTokens(drained.state, atMs(60_000))).toBe(5);
  });

  it('returns new state and leaves the old one untouched', () => {
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 5 }, atMs(0));
    const snapshot = { ...bucket };
    take(bucket, 3, atMs(100));
    refill(bucket, atMs(5_000));
    expect(bucket).toEqual(snapshot);
  });

  it('mints nothing when the clock goes backwards', () => {
    const { state } = take(createTokenBucket({ ratePerSecond: 2, burst: 5 }, atMs(10_000)), 5, atMs(10_000));
    expect(availableTokens(state, atMs(0))).toBe(0);
    expect(refill(state, atMs(0)).updatedAtMs).toBe(T0 + 10_000);
  });

  it('settles earned tokens at the old rate before switching to a new one', () => {
    const empty = take(createTokenBucket({ ratePerSecond: 2, burst: 5 }, atMs(0)), 5, atMs(0)).state;
    const slower = withRate(empty, 0.5, atMs(1_000));
    expect(slower.tokens).toBeCloseTo(2);
    expect(availableTokens(slower, atMs(3_000))).toBe(3);
    expect(() => withRate(empty, 0, atMs(1_000))).toThrow(RangeError);
  });

  it('rejects configurations that can never admit a call', () => {
    expect(() => createTokenBucket({ ratePerSecond: 0, burst: 5 })).toThrow(RangeError);
    expect(() => createTokenBucket({ ratePerSecond: 2, burst: 0.5 })).toThrow(RangeError);
  });

  it('admits in any time window at most burst + rate × length', () => {
    const scenario = fc.record({
      ratePerSecond: fc.double({ min: 0.1, max: 50, noNaN: true }),
      burst: fc.integer({ min: 1, max: 20 }),
      requests: fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 3_000 }), n: fc.integer({ min: 0, max: 30 }) }), {
        maxLength: 80,
      }),
    });
    fc.assert(
      fc.property(scenario, ({ ratePerSecond, burst, requests }) => {
        let state = createTokenBucket({ ratePerSecond, burst }, atMs(0));
        let now = 0;
        const admitted: Array<{ at: number; count: number }> = [];
        for (const { gapMs, n } of requests) {
          now += gapMs;
          const result = take(state, n, atMs(now));
          expect(result.taken).toBeGreaterThanOrEqual(0);
          expect(result.taken).toBeLessThanOrEqual(n);
          expect(result.state.tokens).toBeGreaterThanOrEqual(0);
          expect(result.state.tokens).toBeLessThanOrEqual(burst);
          state = result.state;
          admitted.push({ at: now, count: result.taken });
        }
        for (const [i, first] of admitted.entries()) {
          let sum = 0;
          for (const last of admitted.slice(i)) {
            sum += last.count;
            expect(sum).toBeLessThanOrEqual(burst + (ratePerSecond * (last.at - first.at)) / 1000 + 1e-6);
          }
        }
      }),
    );
  });
});

describe('tick allowance', () => {
  it('lets a 10 s tick use the full 2/s rate despite a burst of 5', () => {
    const full = createTokenBucket({ ratePerSecond: 2, burst: 5 }, atMs(0));
    // 5 tokens now + 20 arriving during the tick, less what the cap of 5 wastes at the start.
    expect(tickAllowance(full, atMs(0), 10)).toBe(24);
    const empty = take(full, 5, atMs(0)).state;
    // Slots end at the tick's end, so an empty bucket still gets the whole refill: 20 starts.
    expect(tickAllowance(empty, atMs(0), 10)).toBe(20);
    expect(tickAllowance(empty, atMs(500), 10)).toBe(21);
  });

  it('is always affordable, for the full allowance and for any smaller plan', () => {
    const scenario = fc.record({
      ratePerSecond: fc.double({ min: 0.1, max: 50, noNaN: true }),
      burst: fc.integer({ min: 1, max: 20 }),
      tickSeconds: fc.integer({ min: 1, max: 60 }),
      spentFirst: fc.integer({ min: 0, max: 20 }),
      waitMs: fc.integer({ min: 0, max: 10_000 }),
      capacity: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
      weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(scenario, ({ ratePerSecond, burst, tickSeconds, spentFirst, waitMs, capacity, weights }) => {
        const bucket = take(createTokenBucket({ ratePerSecond, burst }, atMs(0)), spentFirst, atMs(0)).state;
        const allowance = tickAllowance(bucket, atMs(waitMs), tickSeconds);
        const plan = planTick({
          capacity: capacity ?? 1_000_000,
          inFlight: 0,
          campaigns: weights.map((weight, index) => ({ id: `c${index}`, weight, inFlight: 0, due: 1_000_000 })),
          tokensAvailable: allowance,
          tickSeconds,
        });
        const offsets = plan.campaigns.flatMap((campaign) => campaign.startOffsetsMs);
        expect(offsets).toHaveLength(Math.min(allowance, capacity ?? allowance));
        expect(takeScheduled(bucket, atMs(waitMs), offsets).taken).toBe(offsets.length);
        // Never more than the bucket could supply over the tick.
        expect(allowance).toBeLessThanOrEqual(refill(bucket, atMs(waitMs)).tokens + ratePerSecond * tickSeconds + 1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('sustains the configured rate tick after tick', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 30 }),
        (ratePerSecond, burstExtra, tickSeconds) => {
          // validateCaps demands burst >= rate; one more token absorbs the millisecond rounding.
          const burst = Math.ceil(ratePerSecond) + 1 + burstExtra;
          let bucket = createTokenBucket({ ratePerSecond, burst }, atMs(0));
          let started = 0;
          const ticks = 50;
          for (let tick = 0; tick < ticks; tick += 1) {
            const tickStart = atMs(tick * tickSeconds * 1000);
            const allowance = tickAllowance(bucket, tickStart, tickSeconds);
            const offsets = Array.from({ length: allowance }, (_, slot) => slotOffsetMs(slot, allowance, tickSeconds));
            const result = takeScheduled(bucket, tickStart, offsets);
            expect(result.taken).toBe(allowance);
            bucket = result.state;
            started += allowance;
          }
          const seconds = ticks * tickSeconds;
          expect(started).toBeLessThanOrEqual(burst + ratePerSecond * seconds);
          expect(started).toBeGreaterThanOrEqual(ratePerSecond * seconds - 2 * ratePerSecond * tickSeconds - 1);
        },
      ),
    );
  });
});

describe('adjustRate (AIMD)', () => {
  const rate = { current: 1, floor: 0.2, ceiling: 2 };

  it('adds 5% of the ceiling on a clean tick and halves on a throttle', () => {
    expect(adjustRate(rate, 'ok').current).toBeCloseTo(1.1);
    expect(adjustRate(rate, 'throttled').current).toBeCloseTo(0.5);
    expect(adjustRate({ ...rate, current: 1.99 }, 'ok').current).toBe(2);
    expect(adjustRate({ ...rate, current: 0.3 }, 'throttled').current).toBe(0.2);
    expect(adjustRate(rate, 'ok', { increaseFraction: 0.25 }).current).toBeCloseTo(1.5);
  });

  it('stays within [floor, ceiling] and moves in the signalled direction', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: -5, max: 20, noNaN: true }),
        fc.array(fc.constantFrom('ok' as const, 'throttled' as const), { maxLength: 50 }),
        (a, b, start, signals) => {
          const [floor, ceiling] = a <= b ? [a, b] : [b, a];
          let state = { current: start, floor, ceiling };
          for (const signal of signals) {
            const next = adjustRate(state, signal);
            expect(next.current).toBeGreaterThanOrEqual(floor);
            expect(next.current).toBeLessThanOrEqual(ceiling);
            const before = Math.min(ceiling, Math.max(floor, state.current));
            if (signal === 'ok') {
              expect(next.current).toBeGreaterThanOrEqual(before);
            } else {
              expect(next.current).toBeLessThanOrEqual(before);
            }
            state = next;
          }
        },
      ),
    );
  });

  it('rejects a floor above the ceiling', () => {
    expect(() => adjustRate({ current: 1, floor: 3, ceiling: 2 }, 'ok')).toThrow(RangeError);
  });
});

describe('planTick, examples', () => {
  const tick = (campaigns: CampaignDemand[], overrides: Partial<TickInput> = {}) =>
    planTick({ capacity: 100, inFlight: 0, campaigns, tokensAvailable: 30, tickSeconds: 10, ...overrides });
  const counts = (plan: ReturnType<typeof planTick>) => plan.campaigns.map((campaign) => campaign.callsToStart);

  it('splits the budget by weight', () => {
    const plan = tick([
      { id: 'a', weight: 2, inFlight: 0, due: 100 },
      { id: 'b', weight: 1, inFlight: 0, due: 100 },
    ]);
    expect(plan.budget).toBe(30);
    expect(counts(plan)).toEqual([20, 10]);
    expect(plan.campaigns[0]?.spacingMs).toBe(500);
  });

  it('gives a short campaign what it can use and the rest to the others', () => {
    expect(
      counts(
        tick([
          { id: 'a', weight: 1, inFlight: 0, due: 3 },
          { id: 'b', weight: 1, inFlight: 0, due: 100 },
        ]),
      ),
    ).toEqual([3, 27]);
  });

  it('never exceeds free concurrency or tokens', () => {
    const campaigns = [{ id: 'a', weight: 1, inFlight: 8, due: 100 }];
    expect(tick(campaigns, { capacity: 10, inFlight: 8 }).budget).toBe(2);
    expect(tick(campaigns, { capacity: 10, inFlight: 12 }).budget).toBe(0);
    expect(counts(tick(campaigns, { tokensAvailable: 4 }))).toEqual([4]);
  });

  it('rounds by largest remainder, ties to the heavier campaign and then input order', () => {
    const equal = [
      { id: 'a', weight: 1, inFlight: 0, due: 100 },
      { id: 'b', weight: 1, inFlight: 0, due: 100 },
      { id: 'c', weight: 1, inFlight: 0, due: 100 },
    ];
    expect(counts(tick(equal, { tokensAvailable: 10 }))).toEqual([4, 3, 3]);
    // Shares 10 × 0.5/0.3/0.2 = 5, 3, 2 exactly; 7 × the same = 3.5, 2.1, 1.4 → 4, 2, 1.
    const weighted = [
      { id: 'a', weight: 5, inFlight: 0, due: 100 },
      { id: 'b', weight: 3, inFlight: 0, due: 100 },
      { id: 'c', weight: 2, inFlight: 0, due: 100 },
    ];
    expect(counts(tick(weighted, { tokensAvailable: 10 }))).toEqual([5, 3, 2]);
    expect(counts(tick(weighted, { tokensAvailable: 7 }))).toEqual([4, 2, 1]);
  });

  it('lets a campaign below its share of live calls catch up first', () => {
    expect(
      counts(
        tick(
          [
            { id: 'a', weight: 1, inFlight: 10, due: 100 },
            { id: 'b', weight: 1, inFlight: 0, due: 100 },
          ],
          { inFlight: 10, tokensAvailable: 6 },
        ),
      ),
    ).toEqual([0, 6]);
    expect(
      counts(
        tick(
          [
            { id: 'a', weight: 1, inFlight: 10, due: 100 },
            { id: 'b', weight: 1, inFlight: 0, due: 100 },
          ],
          { inFlight: 10, tokensAvailable: 14 },
        ),
      ),
    ).toEqual([2, 12]);
  });

  it('skips campaigns with nothing due or no weight', () => {
    expect(
      counts(
        tick([
          { id: 'a', weight: 0, inFlight: 0, due: 100 },
          { id: 'b', weight: 1, inFlight: 0, due: 0 },
          { id: 'c', weight: 1, inFlight: 0, due: 5 },
        ]),
      ),
    ).toEqual([0, 0, 5]);
  });

  it('interleaves the campaigns on one evenly spaced grid', () => {
    const plan = tick(
      [
        { id: 'a', weight: 1, inFlight: 0, due: 2 },
        { id: 'b', weight: 1, inFlight: 0, due: 2 },
      ],
      { tokensAvailable: 4 },
    );
    expect(plan.campaigns.map((campaign) => campaign.startOffsetsMs)).toEqual([
      [2_500, 7_500],
      [5_000, 10_000],
    ]);
    // Fewer starts than token slots: spread over the same slots, ending with the last one.
    const sparse = tick([{ id: 'a', weight: 1, inFlight: 0, due: 2 }], { tokensAvailable: 4 });
    expect(sparse.campaigns[0]?.startOffsetsMs).toEqual([5_000, 10_000]);
  });
});

describe('planTick, properties', () => {
  const campaign = fc.record({
    id: fc.string({ minLength: 1, maxLength: 5 }),
    weight: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.1, max: 10, noNaN: true })),
    inFlight: fc.integer({ min: 0, max: 50 }),
    due: fc.integer({ min: 0, max: 200 }),
  });
  const input: fc.Arbitrary<TickInput> = fc.record({
    capacity: fc.integer({ min: 0, max: 500 }),
    inFlight: fc.integer({ min: 0, max: 500 }),
    campaigns: fc.array(campaign, { maxLength: 8 }),
    tokensAvailable: fc.integer({ min: 0, max: 300 }),
    tickSeconds: fc.integer({ min: 1, max: 60 }),
  });

  it('respects every limit, conserves work and spreads the starts', () => {
    fc.assert(
      fc.property(input, (tickInput) => {
        const plan = planTick(tickInput);
        const budget = Math.max(0, Math.min(tickInput.capacity - tickInput.inFlight, tickInput.tokensAvailable));
        const totalDue = tickInput.campaigns.reduce((sum, c) => sum + c.due, 0);
        const sum = plan.campaigns.reduce((total, c) => total + c.callsToStart, 0);
        expect(plan.budget).toBe(budget);
        expect(sum).toBe(Math.min(budget, totalDue));
        expect(plan.total).toBe(sum);
        plan.campaigns.forEach((planned, index) => {
          const demand = tickInput.campaigns[index];
          expect(planned.id).toBe(demand?.id);
          expect(planned.callsToStart).toBeGreaterThanOrEqual(0);
          expect(planned.callsToStart).toBeLessThanOrEqual(demand?.due ?? 0);
          expect(planned.startOffsetsMs).toHaveLength(planned.callsToStart);
        });
        const slots = tickInput.tokensAvailable;
        const grid = Array.from({ length: sum }, (_, pick) =>
          slotOffsetMs(Math.floor(((pick + 1) * slots) / sum) - 1, slots, tickInput.tickSeconds),
        );
        const offsets = plan.campaigns.flatMap((c) => c.startOffsetsMs).sort((a, b) => a - b);
        expect(offsets).toEqual(grid);
        expect(planTick(tickInput)).toEqual(plan);
      }),
      { numRuns: 500 },
    );
  });

  it('is max-min fair on live calls per weight: no campaign could take a call from a better-served one', () => {
    fc.assert(
      fc.property(input, (tickInput) => {
        const plan = planTick(tickInput);
        const rows = tickInput.campaigns.map((demand, index) => ({
          ...demand,
          starts: plan.campaigns[index]?.callsToStart ?? 0,
        }));
        for (const short of rows) {
          for (const served of rows) {
            if (short.starts < short.due && served.starts > 0) {
              expect((short.inFlight + short.starts + 1) / short.weight).toBeGreaterThanOrEqual(
                (served.inFlight + served.starts - 1) / served.weight - 1e-9,
              );
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives each campaign its weighted share ±1 when all have enough due and nothing in flight', () => {
    const fresh = fc.record({
      weights: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }),
      budget: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(
      fc.property(fresh, ({ weights, budget }) => {
        const plan = planTick({
          capacity: 10_000,
          inFlight: 0,
          campaigns: weights.map((weight, index) => ({ id: `c${index}`, weight, inFlight: 0, due: budget })),
          tokensAvailable: budget,
          tickSeconds: 10,
        });
        const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
        plan.campaigns.forEach((planned, index) => {
          const proportional = (budget * (weights[index] ?? 0)) / totalWeight;
          expect(Math.abs(planned.callsToStart - proportional)).toBeLessThan(1 + 1e-9);
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('validateCaps', () => {
  const sound = {
    maxConcurrentCalls: 10,
    dialsPerSecond: 2,
    burst: 5,
    flowFunctionReservedConcurrency: 10,
    connectQuotas: { concurrentCalls: 10, startOutboundRatePerSecond: 2, startOutboundBurst: 5 },
    accountConcurrency: 1_000,
    averageCallSeconds: 90,
  };

  it('accepts the Connect defaults with enough flow concurrency', () => {
    expect(validateCaps(sound)).toEqual([]);
  });

  it('sizes flow concurrency by Little’s law with headroom', () => {
    // 2,700 calls × 6 invocations/min ÷ 60 × 1 s × 2 = 540.
    expect(requiredFlowConcurrency({ maxConcurrentCalls: 2_700 })).toBe(540);
    expect(
      requiredFlowConcurrency({
        maxConcurrentCalls: 100,
        flowInvocationsPerCallPerMinute: 12,
        flowInvocationSeconds: 2,
      }),
    ).toBe(80);
  });

  it.each([
    [{ burst: 1.5 }, 'BURST_BELOW_RATE'],
    [{ burst: 0.5 }, 'BURST_BELOW_ONE'],
    [{ dialsPerSecond: 3, burst: 5 }, 'RATE_ABOVE_CONNECT_QUOTA'],
    [{ burst: 8 }, 'BURST_ABOVE_CONNECT_QUOTA'],
    [{ maxConcurrentCalls: 20, flowFunctionReservedConcurrency: 50 }, 'CONCURRENCY_ABOVE_CONNECT_QUOTA'],
    [{ flowFunctionReservedConcurrency: 1 }, 'FLOW_CONCURRENCY_TOO_LOW'],
    [{ flowFunctionReservedConcurrency: 950 }, 'FLOW_CONCURRENCY_ABOVE_ACCOUNT'],
    [{ averageCallSeconds: 4 }, 'CONCURRENCY_UNREACHABLE'],
    [{ dialsPerSecond: -1 }, 'NOT_A_POSITIVE_NUMBER'],
    [{ maxConcurrentCalls: Number.NaN }, 'NOT_A_POSITIVE_NUMBER'],
  ] as const)('%o → %s', (change, code) => {
    const problems = validateCaps({ ...sound, ...change });
    expect(problems.map((problem) => problem.code)).toContain(code);
    const expectedSeverity = code === 'CONCURRENCY_UNREACHABLE' ? 'warning' : 'error';
    expect(problems.find((problem) => problem.code === code)?.severity).toBe(expectedSeverity);
  });

  it('skips quota checks it has no numbers for', () => {
    expect(
      validateCaps({ maxConcurrentCalls: 2_700, dialsPerSecond: 20, burst: 40, flowFunctionReservedConcurrency: 600 }),
    ).toEqual([]);
  });
});
