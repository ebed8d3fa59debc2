import { describe, expect, it } from 'vitest';
import {
  contactRow,
  csvLine,
  exportColumns,
  formatAttempt,
  matchesAnswers,
  parseAnswerFilter,
} from '../../../../functions/core/report/contact-rows.ts';

const questions = [{ id: 'q1', prompt: 'Satisfied?', keys: { '1': 'yes', '2': 'no' } }];
const contact = {
  phone: '+48601000001',
  status: 'COMPLETED',
  attempts: 2,
  attemptLog: [
    { n: 1, at: '2026-03-29T00:30:00.000Z', outcome: 'NO_ANSWER' },
    { n: 2, at: '2026-03-29T01:30:00.000Z', outcome: 'COMPLETED' },
  ],
  timeZone: 'Europe/Warsaw',
  name: 'Anna',
  externalId: 'C-1',
  attributes: { region: 'north', note: '=HYPERLINK("http://x")' },
  answers: { q1: '2' },
};

describe('export rows', () => {
  it('lists fixed columns, the extra columns, one per question, then opt-out and follow-ups', () => {
    expect(exportColumns(['region'], questions)).toEqual([
      'phone',
      'external_id',
      'name',
      'region',
      'status',
      'attempts',
      'attempt_log',
      'answer_q1',
      'opted_out',
      'follow_ups',
      'other_attributes',
    ]);
  });

  it('writes attempts in the callee time zone (across the DST change) with outcomes, and answers as labels', () => {
    const row = contactRow(contact, ['region'], questions, ['thanks:SENT']);

    expect(row).toEqual([
      '+48601000001',
      'C-1',
      'Anna',
      'north',
      'COMPLETED',
      '2',
      '1 2026-03-29 01:30:00 +01:00 NO_ANSWER; 2 2026-03-29 03:30:00 +02:00 COMPLETED',
      'no',
      'no',
      'thanks:SENT',
      '{"note":"=HYPERLINK(\\"http://x\\")"}',
    ]);
    expect(formatAttempt({ n: 3, at: '2026-03-29T01:30:00.000Z' }, 'UTC')).toBe(
      '3 2026-03-29 01:30:00 +00:00 IN_PROGRESS',
    );
  });

  it('neutralises formula-like cells and quotes delimiters, quotes and line breaks', () => {
    expect(csvLine(['=1+1', '+48601', '-2', '@SUM(A1)', 'a,b', 'say "hi"', 'two\nlines', 'plain'])).toBe(
      `'=1+1,'+48601,'-2,'@SUM(A1),"a,b","say ""hi""","two\nlines",plain\r\n`,
    );
  });

  it('writes an E.164 phone number as is, and a + cell that is not one defused', () => {
    expect(csvLine(['+48601000001', '+48 601 000 001', '+48601000001;1'])).toBe(
      `+48601000001,'+48 601 000 001,'+48601000001;1\r\n`,
    );
  });

  it('parses ?answer=q1:2 filters and matches contacts by their latest answer', () => {
    const filters = parseAnswerFilter('q1:2');

    expect(filters).toEqual([{ questionId: 'q1', key: '2' }]);
    expect(matchesAnswers(contact, filters ?? [])).toBe(true);
    expect(matchesAnswers(contact, parseAnswerFilter('q1:1') ?? [])).toBe(false);
    expect(parseAnswerFilter('q1=2')).toBeUndefined();
    expect(parseAnswerFilter('q1:22')).toBeUndefined();
  });
});
