import { describe, expect, it } from 'vitest';
import {
  batchFileName,
  distinctFacts,
  isVisible,
  parseFactFileName,
  partitionWatermark,
  planCompaction,
  segmentFileName,
} from '../../../../functions/core/analytics/fact-files.ts';
import { parseFactObjectKey } from '../../../../functions/core/analytics/fact-tables.ts';

describe('fact file names', () => {
  it('name batches and segments by time, and read them back', () => {
    expect(batchFileName(1_774_605_600_000, 'a1')).toBe('b-1774605600000-a1.parquet');
    expect(segmentFileName(5, 'x')).toBe('c-0000000000005-x.parquet');
    expect(parseFactFileName('c-0000000000005-x.parquet')).toEqual({ kind: 'segment', time: 5 });
    expect(parseFactFileName('notes.txt')).toBeUndefined();
    expect(parseFactObjectKey('analytics/attempts/campaign=demo/date=2026-03-27/b-1774605600000-a1.parquet')).toEqual({
      table: 'attempts',
      campaignId: 'demo',
      date: '2026-03-27',
      fileName: 'b-1774605600000-a1.parquet',
    });
    expect(parseFactObjectKey('exports/demo/x.csv')).toBeUndefined();
  });

  it('show every segment and the batches written since the newest watermark', () => {
    const names = [
      segmentFileName(100, 'a'),
      segmentFileName(200, 'b'),
      batchFileName(150, 'c'),
      batchFileName(200, 'd'),
    ];
    expect(partitionWatermark(names)).toBe(200);
    expect(names.filter((name) => isVisible(name, 200))).toEqual([names[0], names[1], names[3]]);
  });
});

describe('planCompaction', () => {
  it('merges batches older than now minus the clock margin and removes those merged before', () => {
    const names = [
      segmentFileName(1_000, 's'),
      batchFileName(500, 'old'),
      batchFileName(1_500, 'a'),
      batchFileName(9_500, 'young'),
    ];
    expect(planCompaction(names, 10_000, 1_000, 3_000)).toEqual({
      watermark: 9_000,
      merge: [batchFileName(1_500, 'a')],
      remove: [batchFileName(500, 'old')],
      settledBefore: 7_000,
    });
  });

  it('has nothing to do without batches', () => {
    expect(planCompaction([segmentFileName(1, 's')], 10_000, 1_000, 3_000)).toBeUndefined();
  });

  it('keeps the first copy of each fact key', () => {
    const rows = [
      { contact_key: 1n, attempt: 1, outcome: 'A' },
      { contact_key: 1n, attempt: 1, outcome: 'B' },
      { contact_key: 1n, attempt: 2, outcome: 'C' },
    ];
    expect(distinctFacts(rows, ['contact_key', 'attempt']).map((row) => row.outcome)).toEqual(['A', 'C']);
  });
});
