/** Personal data expires from its run's date: never before the run is over, never long after the retention. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBeyondRetention, latestRunDate, personalDataExpiresAt } from '../../../functions/core/retention.ts';
import { runEndsAt } from '../../../functions/core/run-clock.ts';

const DAY = 86_400;
const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

describe('personalDataExpiresAt', () => {
  it('keeps an item until its run is over and the retention has passed, and not two days longer', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 1, max: 3_650 }), (date, retentionDays) => {
        const expiresAt = personalDataExpiresAt(date, retentionDays);
        const runStart = Date.parse(`${date}T00:00:00Z`) / 1000;
        expect(expiresAt).toBeGreaterThanOrEqual(runEndsAt(date).getTime() / 1000 + retentionDays * DAY);
        expect(expiresAt).toBeLessThanOrEqual(runStart + (retentionDays + 2) * DAY);
      }),
    );
  });

  it('does not depend on when the item is written: a list imported 120 days ahead outlives its run', () => {
    const runDate = '2027-04-03';

    const expiresAt = personalDataExpiresAt(runDate, 90);

    expect(new Date(expiresAt * 1000).toISOString()).toBe('2027-07-03T12:00:00.000Z');
  });
});

describe('latestRunDate', () => {
  it('is today (UTC) plus the retention', () => {
    expect(latestRunDate(new Date('2026-12-04T23:30:00Z'), 90)).toBe('2027-03-04');
  });

  it('refuses 9999-12-31 and the day after the window, accepts its last day', () => {
    const now = new Date('2026-12-04T10:00:00Z');

    expect(isBeyondRetention('9999-12-31', now, 90)).toBe(true);
    expect(isBeyondRetention('2027-03-05', now, 90)).toBe(true);
    expect(isBeyondRetention('2027-03-04', now, 90)).toBe(false);
    expect(isBeyondRetention('2026-12-04', now, 90)).toBe(false);
  });
});
