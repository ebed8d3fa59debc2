import { describe, expect, it } from 'vitest';
import {
  exceedsRejectionThreshold,
  ImportSummariser,
  summariseRows,
} from '../../../../functions/core/import/import-summary.ts';
import type { RowResult } from '../../../../functions/core/import/row-validator.ts';
import { readFixture } from './read-fixture.ts';

function rejectedRow(line: number): RowResult {
  return {
    kind: 'rejected',
    line,
    column: 'phone',
    value: 'x',
    code: 'NOT_A_NUMBER',
    reason: 'not a phone number: "x" contains letters',
    fields: ['x'],
  };
}

describe('summariseRows', () => {
  it('counts the outcomes of a list and keeps its rejections without their cells', async () => {
    const { rows } = await readFixture('excel-semicolon-bom-crlf.csv');

    const summary = await summariseRows(rows);

    expect(summary).toMatchObject({
      rows: 15,
      accepted: 7,
      rejected: 7,
      duplicates: 1,
      rejectionRate: 7 / 15,
      errorsTruncated: false,
    });
    expect(summary.rejectionsByCode).toEqual({
      INVALID_LENGTH: 1,
      EMPTY: 1,
      NOT_A_NUMBER: 2,
      INVALID_TIME_ZONE: 1,
      INVALID_LANGUAGE: 1,
      PREMIUM_RATE: 1,
    });
    expect(summary.errors.map((error) => error.line)).toEqual([10, 11, 12, 13, 15, 16, 17]);
    expect(summary.errors[0]).toEqual({
      line: 10,
      column: 'Phone Number',
      value: '601 234 56',
      code: 'INVALID_LENGTH',
      reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9)',
    });
  });

  it('keeps only the first maxErrors rejections', async () => {
    const rows = Array.from({ length: 150 }, (_, index) => rejectedRow(index + 2));

    const summary = await summariseRows(rows, { maxErrors: 100 });

    expect(summary.rejected).toBe(150);
    expect(summary.errors).toHaveLength(100);
    expect(summary.errors.at(-1)?.line).toBe(101);
    expect(summary.errorsTruncated).toBe(true);
  });

  it('gives an empty list a zero rejection rate', () => {
    expect(new ImportSummariser().summary()).toEqual({
      rows: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      rejectionRate: 0,
      rejectionsByCode: {},
      errors: [],
      errorsTruncated: false,
    });
  });
});

describe('exceedsRejectionThreshold', () => {
  it('alerts above the threshold only', async () => {
    const summary = await summariseRows([
      rejectedRow(2),
      { kind: 'duplicate', line: 3, phone: '+48601234567', firstLine: 1 },
    ]);

    expect(summary.rejectionRate).toBe(0.5);
    expect(exceedsRejectionThreshold(summary, 0.2)).toBe(true);
    expect(exceedsRejectionThreshold(summary, 0.5)).toBe(false);
    expect(exceedsRejectionThreshold(new ImportSummariser().summary(), 0)).toBe(false);
  });
});
