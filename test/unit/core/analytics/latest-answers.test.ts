/**
 * The latest-answers snapshot's pure rules: the latest answer per contact and question, and how a new snapshot is
 * named (after every existing one) and which older ones it lets go.
 */
import { describe, expect, it } from 'vitest';
import { segmentFileName } from '../../../../functions/core/analytics/fact-files.ts';
import { latestAnswerRows, planSnapshot } from '../../../../functions/core/analytics/latest-answers.ts';

const answer = (contact: bigint, question: string, attempt: number, key: string) => ({
  contact_key: contact,
  question_id: question,
  attempt,
  answer_key: key,
});

describe('latest answers', () => {
  it('keeps per contact and question the answer of the highest attempt, whatever the order', () => {
    const rows = [
      answer(1n, 'q1', 2, '2'),
      answer(1n, 'q1', 1, '1'),
      answer(1n, 'q2', 1, '3'),
      answer(2n, 'q1', 1, '1'),
      answer(2n, 'q1', 3, '2'),
      answer(2n, 'q1', 3, '2'),
    ];

    const latest = latestAnswerRows(rows);

    expect(latest).toEqual([answer(1n, 'q1', 2, '2'), answer(1n, 'q2', 1, '3'), answer(2n, 'q1', 3, '2')]);
  });

  it('names a new snapshot after the newest one and lets go of those older than it', () => {
    const names = [segmentFileName(1_000, 'a'), segmentFileName(5_000, 'b'), 'b-0000000009000-x.parquet'];

    expect(planSnapshot([], 2_000)).toEqual({ time: 2_000, remove: [] });
    expect(planSnapshot(names, 9_000)).toEqual({ time: 9_000, remove: [segmentFileName(1_000, 'a')] });
    // A clock behind the newest snapshot still names the new one later, so queries take it.
    expect(planSnapshot(names, 4_000)).toEqual({ time: 5_001, remove: [segmentFileName(1_000, 'a')] });
  });
});
