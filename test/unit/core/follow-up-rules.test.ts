import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FollowUp } from '../../../functions/core/campaign.ts';
import { matchingFollowUps } from '../../../functions/core/follow-up-rules.ts';

const booking: FollowUp = { id: 'booking', when: { q2: ['1'] }, sms: 'Call +48 22 123 45 67 to book.' };
const both: FollowUp = { id: 'both', when: { q1: ['2'], q2: ['1', '2'] }, sms: 'Thanks.' };

describe('matchingFollowUps', () => {
  it('selects a rule when every listed question was answered with one of its keys', () => {
    expect(matchingFollowUps([booking, both], { q1: '2', q2: '1' })).toEqual([booking, both]);
    expect(matchingFollowUps([booking, both], { q1: '2', q2: '2' })).toEqual([both]);
    expect(matchingFollowUps([booking, both], { q1: '1', q2: '1' })).toEqual([booking]);
  });

  it('never selects a rule for an unanswered question, nor a rule without conditions', () => {
    expect(matchingFollowUps([booking], { q1: '2' })).toEqual([]);
    expect(matchingFollowUps([{ id: 'all', when: {}, sms: 'x' }], { q1: '1' })).toEqual([]);
  });

  it('matches exactly the rules whose conditions all hold (property)', () => {
    const key = fc.constantFrom('1', '2', '3');
    const question = fc.constantFrom('q1', 'q2', 'q3');
    const rule = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      when: fc.dictionary(question, fc.array(key, { minLength: 1, maxLength: 3 })),
      sms: fc.constant('text'),
    });
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), fc.dictionary(question, key), (rules, answers) => {
        const selected = matchingFollowUps(rules, answers);
        for (const candidate of rules) {
          const holds =
            Object.keys(candidate.when).length > 0 &&
            Object.entries(candidate.when).every(
              ([id, keys]) => answers[id] !== undefined && keys.includes(answers[id]),
            );
          expect(selected.includes(candidate)).toBe(holds);
        }
      }),
    );
  });
});
