import { describe, expect, it } from 'vitest';
import {
  formatBar,
  formatBytes,
  formatCounts,
  formatDuration,
  formatPercent,
  formatRelative,
  formatTable,
  formatTime,
} from '../../../cli/format.ts';

describe('numbers', () => {
  it('formats percentages, bytes and durations', () => {
    expect(formatPercent(0.4667)).toBe('46.7 %');
    expect(formatPercent(1, 0)).toBe('100 %');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(6_000_000)).toBe('6.0 MB');
    expect(formatBytes(1_234_567_890)).toBe('1.2 GB');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7_500)).toBe('2 h 05 min');
  });

  it('lists counts largest first and leaves out zeros', () => {
    expect(formatCounts({ NO_ANSWER: 8, COMPLETED: 12, BUSY: 0 })).toBe('COMPLETED 12 · NO_ANSWER 8');
    expect(formatCounts({})).toBe('none');
  });

  it('fills a bar in proportion, clamped to 0…1', () => {
    expect(formatBar(0.5, 10)).toBe('█████░░░░░');
    expect(formatBar(2, 4)).toBe('████');
    expect(formatBar(Number.NaN, 4)).toBe('░░░░');
  });
});

describe('times', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('shows the time of day for today and the date for other days', () => {
    expect(formatTime('2026-11-23T10:05:09Z', now, 'UTC')).toBe('10:05:09');
    expect(formatTime('2026-11-24T08:00:00Z', now, 'UTC')).toBe('2026-11-24 08:00');
  });

  it('says how far an instant is from now', () => {
    expect(formatRelative('2026-11-23T10:00:33Z', now)).toBe('in 33 s');
    expect(formatRelative('2026-11-23T09:55:00Z', now)).toBe('5 min 00 s ago');
    expect(formatRelative('2026-11-23T10:00:00Z', now)).toBe('now');
  });
});

describe('formatTable', () => {
  it('pads columns to their widest cell, numbers to the right', () => {
    const table = formatTable(
      [{ title: 'ID' }, { title: 'NAME' }, { title: 'VERSION', align: 'right' }],
      [
        ['demo', 'Demo survey', '12'],
        ['b', 'Łódź reminders', '3'],
      ],
    );

    expect(table.split('\n')).toEqual([
      'ID    NAME            VERSION',
      'demo  Demo survey          12',
      'b     Łódź reminders        3',
    ]);
  });
});
