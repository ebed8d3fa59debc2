import { describe, expect, it } from 'vitest';
import { mixFromHistory, outcomeCounts } from '../../../../functions/core/planning/history-mix.ts';
import { defaultOutcomeMix, OutcomeMixSchema } from '../../../../functions/core/planning/outcome-mix.ts';

describe('mixFromHistory', () => {
  it('takes shares from the outcome counters and call lengths from the sample, the rest from the fallback', () => {
    const counts = outcomeCounts({
      o_COMPLETED: 60,
      o_NO_ANSWER: 30,
      o_PARTIAL: 10,
      n_PENDING: 4,
      o_BOGUS: 3,
      attemptsEnded: 100,
    });
    expect(counts).toEqual({ COMPLETED: 60, NO_ANSWER: 30, PARTIAL: 10 });
    const samples = Array.from({ length: 8 }, (_, index) => ({
      outcome: 'COMPLETED' as const,
      lineSeconds: 50 + index,
      talkSeconds: 40 + index,
    }));
    const mix = mixFromHistory({ counts, samples, fallback: defaultOutcomeMix(25) });
    expect(OutcomeMixSchema.safeParse(mix).success).toBe(true);
    expect(mix?.COMPLETED).toEqual({
      share: 0.6,
      lineSeconds: { samples: [50, 51, 52, 53, 54, 55, 56, 57] },
      ringSeconds: { samples: [10, 10, 10, 10, 10, 10, 10, 10] },
    });
    // Too few samples: the fallback's ring timeout; an outcome the fallback does not know: its mean line time.
    expect(mix?.NO_ANSWER).toEqual({ share: 0.3, lineSeconds: 25 });
    expect(mix?.PARTIAL?.share).toBe(0.1);
    expect(typeof mix?.PARTIAL?.lineSeconds).toBe('number');
  });

  it('has nothing to say without attempts', () => {
    expect(mixFromHistory({ counts: {}, samples: [], fallback: defaultOutcomeMix(30) })).toBeUndefined();
  });
});
