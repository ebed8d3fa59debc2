import { describe, expect, it } from 'vitest';
import {
  buildRunSummary,
  isFirstReach,
  MAX_REPORT_RANGE_DAYS,
  type ReportQuestion,
  reportDates,
  sumCounters,
} from '../../../../functions/core/report/summary.ts';

const questions: ReportQuestion[] = [
  { id: 'q1', prompt: 'Satisfied?', keys: { '1': 'yes', '2': 'no' } },
  { id: 'q2', prompt: 'Recommend?', keys: { '1': 'yes', '2': 'no', '3': 'maybe' } },
];

describe('buildRunSummary', () => {
  it('derives statuses, rates, attempts distribution, call length and answer shares from counters', () => {
    const counters = {
      contacts: 10,
      n_COMPLETED: 4,
      n_PARTIAL: 1,
      n_OPTED_OUT: 1,
      n_NO_ANSWER: 2,
      n_EXPIRED: 1,
      n_PENDING: 1,
      n_DIALING: 0,
      o_COMPLETED: 4,
      o_NO_ANSWER: 5,
      t_1: 5,
      t_2: 2,
      t_3: 2,
      attemptsStarted: 16,
      attemptsEnded: 15,
      talkSeconds: 300,
      answeredCalls: 6,
      answersTotal: 9,
      a_q1_1: 3,
      a_q1_2: 1,
      a_q2_1: 4,
      a_q2_9: 1,
      followUpsSent: 2,
      followUpsFailed: 1,
    };

    const summary = buildRunSummary(counters, questions);

    expect(summary.contacts).toEqual({
      total: 10,
      finished: 9,
      waiting: 1,
      byStatus: { COMPLETED: 4, PARTIAL: 1, OPTED_OUT: 1, NO_ANSWER: 2, EXPIRED: 1, PENDING: 1 },
    });
    expect(summary.outcomes).toEqual({ COMPLETED: 4, NO_ANSWER: 5 });
    expect(summary.attempts).toEqual({
      started: 16,
      ended: 15,
      distribution: { '1': 5, '2': 2, '3': 2 },
      meanPerFinishedContact: 1.67,
    });
    expect(summary.reachRate).toBe(0.6);
    expect(summary.completionRate).toBe(0.4);
    expect(summary.meanCallSeconds).toBe(50);
    expect(summary.optOuts).toBe(1);
    expect(summary.followUps).toEqual({ sent: 2, failed: 1 });
    expect(summary.questions[0]).toEqual({
      id: 'q1',
      prompt: 'Satisfied?',
      answered: 4,
      answers: [
        { key: '1', label: 'yes', count: 3, share: 0.75 },
        { key: '2', label: 'no', count: 1, share: 0.25 },
      ],
    });
    expect(summary.questions[1]?.answers).toContainEqual({ key: '3', label: 'maybe', count: 0, share: 0 });
    // A key the campaign no longer lists is kept, labelled by itself.
    expect(summary.questions[1]?.answers).toContainEqual({ key: '9', label: '9', count: 1, share: 0.2 });
  });

  it('counts as reached a contact who picked up once and was then retried without an answer', () => {
    // 4 ended COMPLETED; 1 answered an attempt (PARTIAL), was retried and ended EXPIRED.
    const counters = { contacts: 10, n_COMPLETED: 4, n_EXPIRED: 6, contactsReached: 5 };

    expect(buildRunSummary(counters, questions).reachRate).toBe(0.5);
  });

  it('takes the contacts in a reached status when the run has no reach counter (begun before it existed)', () => {
    expect(buildRunSummary({ contacts: 10, n_COMPLETED: 3, n_OPTED_OUT: 1 }, questions).reachRate).toBe(0.4);
  });

  it('reports zeros, not NaN, for a run without contacts', () => {
    const summary = buildRunSummary({}, questions);

    expect(summary.reachRate).toBe(0);
    expect(summary.meanCallSeconds).toBe(0);
    expect(summary.attempts.meanPerFinishedContact).toBe(0);
    expect(summary.questions.map((question) => question.answered)).toEqual([0, 0]);
  });
});

describe('isFirstReach', () => {
  it('is true only for the first attempt a person picked up', () => {
    expect(isFirstReach('PARTIAL', ['NO_ANSWER', undefined])).toBe(true);
    expect(isFirstReach('COMPLETED', [])).toBe(true);
    expect(isFirstReach('OPTED_OUT', ['BUSY'])).toBe(true);
    expect(isFirstReach('COMPLETED', ['PARTIAL'])).toBe(false);
    expect(isFirstReach('NO_ANSWER', [])).toBe(false);
    expect(isFirstReach('VOICEMAIL', [])).toBe(false);
  });
});

describe('sumCounters', () => {
  it('adds the counters of several days', () => {
    expect(
      sumCounters([
        { contacts: 2, n_COMPLETED: 1 },
        { contacts: 3, a_q1_1: 2 },
      ]),
    ).toEqual({
      contacts: 5,
      n_COMPLETED: 1,
      a_q1_1: 2,
    });
  });
});

describe('reportDates', () => {
  it('lists every day of the range, both ends included', () => {
    expect(reportDates('2026-02-27', '2026-03-02')).toEqual({
      dates: ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'],
    });
  });

  it(`refuses a range longer than ${MAX_REPORT_RANGE_DAYS} days or reversed, naming the parameter`, () => {
    expect(reportDates('2026-01-01', '2026-04-03')).toMatchObject({ problem: { path: 'query.to' } });
    expect(reportDates('2026-01-01', '2026-04-02')).toHaveProperty('dates');
    expect(reportDates('2026-01-02', '2026-01-01')).toMatchObject({ problem: { path: 'query.to' } });
  });
});
