import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultOutcomeMix,
  drawAttempt,
  meanLineSeconds,
  meanTalkSeconds,
  OutcomeMixSchema,
  prepareMix,
  sharesOf,
} from '../../../../functions/core/planning/outcome-mix.ts';

describe('outcome mix', () => {
  it('draws the same attempt for the same (seed, contact, attempt), whoever asks first', () => {
    const mix = prepareMix(defaultOutcomeMix(30));
    const first = drawAttempt(mix, 7, '+999000000001', 2);
    drawAttempt(mix, 7, '+999000000002', 1);
    expect(drawAttempt(mix, 7, '+999000000001', 2)).toEqual(first);
    expect(drawAttempt(mix, 8, '+999000000001', 2)).not.toEqual(first);
  });

  it('follows its shares and line times over many draws', () => {
    const mix = prepareMix(defaultOutcomeMix(30));
    const counts = new Map<string, number>();
    let lineMs = 0;
    const draws = 40_000;
    for (let index = 0; index < draws; index++) {
      const draw = drawAttempt(mix, 1, `+999${index}`, 1 + (index % 3));
      counts.set(draw.outcome, (counts.get(draw.outcome) ?? 0) + 1);
      lineMs += draw.lineMs;
      if (draw.outcome === 'NO_ANSWER') expect(draw.lineMs).toBe(30_000);
      if (draw.outcome === 'COMPLETED') {
        expect(draw.lineMs).toBeGreaterThanOrEqual(60_000);
        expect(draw.lineMs).toBeLessThanOrEqual(180_000);
        expect(draw.talkMs).toBeGreaterThanOrEqual(draw.lineMs - 12_000);
      }
    }
    expect((counts.get('COMPLETED') ?? 0) / draws).toBeCloseTo(0.5, 1);
    expect((counts.get('NO_ANSWER') ?? 0) / draws).toBeCloseTo(0.35, 1);
    expect((counts.get('BUSY') ?? 0) / draws).toBeCloseTo(0.1, 1);
    expect(lineMs / draws / 1000).toBeCloseTo(meanLineSeconds(mix), 0);
    expect(meanLineSeconds(mix)).toBeCloseTo(72.5, 5);
    expect(meanTalkSeconds(mix)).toBeCloseTo(0.5 * (120 - 7.5) + 0.05 * (30 - 10), 5);
  });

  it('normalises shares that do not add up to one, and drops outcomes with none', () => {
    const mix = prepareMix({ BUSY: { share: 3, lineSeconds: 5 }, NO_ANSWER: { share: 1, lineSeconds: 30 } } as never);
    expect(sharesOf(mix)).toEqual({ NO_ANSWER: 0.25, BUSY: 0.75 });
    expect(
      prepareMix({ BUSY: { share: 0, lineSeconds: 5 }, COMPLETED: { share: 1, lineSeconds: 60 } }).outcomes,
    ).toEqual(['COMPLETED']);
  });

  it('refuses a mix without any share, a range upside down and an unknown outcome, naming the field', () => {
    const problems = (input: unknown) =>
      OutcomeMixSchema.safeParse(input).error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(problems({ BUSY: { share: 0, lineSeconds: 5 } })).toEqual(['']);
    expect(problems({ BUSY: { share: 1, lineSeconds: { min: 9, max: 3 } } })).toContain('BUSY.lineSeconds.max');
    expect(problems({ HUNG_UP: { share: 1, lineSeconds: 5 } }).length).toBeGreaterThan(0);
    expect(problems({ BUSY: { share: 1, lineSeconds: -1 } })).toContain('BUSY.lineSeconds');
  });

  it('never draws a line time outside its distribution, for any mix (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 600, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.string(),
        fc.integer({ min: 1, max: 20 }),
        (samples, share, contact, attempt) => {
          const mix = prepareMix({ VOICEMAIL: { share, lineSeconds: { samples }, ringSeconds: { min: 0, max: 30 } } });
          const draw = drawAttempt(mix, 3, contact, attempt);
          expect(draw.outcome).toBe('VOICEMAIL');
          expect(samples.map((value) => Math.round(value * 1000))).toContain(draw.lineMs);
          expect(draw.talkMs).toBeGreaterThanOrEqual(0);
          expect(draw.talkMs).toBeLessThanOrEqual(draw.lineMs);
        },
      ),
    );
  });
});
