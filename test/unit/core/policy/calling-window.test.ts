import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallingWindow } from '../../../../functions/core/campaign.ts';
import {
  CallingWindowClosedError,
  clampIntoWindow,
  isWithinWindow,
  localDate,
  nextWindowOpening,
  startOfNextLocalDay,
  WINDOW_SEARCH_HORIZON_DAYS,
  windowCloseAfter,
} from '../../../../functions/core/policy/calling-window.ts';
import {
  ALL_DAYS,
  insideByWallClock,
  instantArbitrary,
  nearFallBack,
  windowArbitrary,
  zonedInstantArbitrary,
} from './arbitraries.ts';

const MINUTE = 60_000;
const WEEKDAYS: CallingWindow['days'] = ['MON', 'TUE', 'WED', 'THU', 'FRI'];

function window(start: string, end: string, overrides: Partial<CallingWindow> = {}): CallingWindow {
  return { days: ALL_DAYS, start, end, holidays: [], ...overrides };
}

const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

describe('calling window, DST examples with exact instants', () => {
  const business = window('09:00', '20:00');

  it.each([
    // Europe/Warsaw: CET (+01) until 2025-03-30 02:00, CEST (+02) until 2025-10-26 03:00.
    ['Europe/Warsaw', '2025-03-28T19:30:00Z', '2025-03-29T08:00:00.000Z'],
    ['Europe/Warsaw', '2025-03-29T19:30:00Z', '2025-03-30T07:00:00.000Z'],
    ['Europe/Warsaw', '2025-10-25T19:30:00Z', '2025-10-26T08:00:00.000Z'],
    ['Europe/Warsaw', '2025-10-24T19:30:00Z', '2025-10-25T07:00:00.000Z'],
    // America/New_York: EST (-05) / EDT (-04), changes 2025-03-09 and 2025-11-02.
    ['America/New_York', '2025-03-08T02:00:00Z', '2025-03-08T14:00:00.000Z'],
    ['America/New_York', '2025-03-09T02:00:00Z', '2025-03-09T13:00:00.000Z'],
    ['America/New_York', '2025-11-01T02:00:00Z', '2025-11-01T13:00:00.000Z'],
    ['America/New_York', '2025-11-02T02:00:00Z', '2025-11-02T14:00:00.000Z'],
    // Australia/Sydney: AEDT (+11) until 2025-04-06 03:00, AEST (+10) until 2025-10-05 02:00.
    ['Australia/Sydney', '2025-04-04T12:00:00Z', '2025-04-04T22:00:00.000Z'],
    ['Australia/Sydney', '2025-04-05T12:00:00Z', '2025-04-05T23:00:00.000Z'],
    ['Australia/Sydney', '2025-10-03T12:00:00Z', '2025-10-03T23:00:00.000Z'],
    ['Australia/Sydney', '2025-10-04T12:00:00Z', '2025-10-04T22:00:00.000Z'],
  ])('%s: 09:00 local after %s opens at %s', (zone, from, expected) => {
    expect(iso(nextWindowOpening(business, zone, at(from)))).toBe(expected);
  });

  it('keeps 20:00 local as the close on both sides of the Warsaw changes', () => {
    expect(iso(windowCloseAfter(business, 'Europe/Warsaw', at('2025-03-29T12:00:00Z')))).toBe(
      '2025-03-29T19:00:00.000Z',
    );
    expect(iso(windowCloseAfter(business, 'Europe/Warsaw', at('2025-03-30T12:00:00Z')))).toBe(
      '2025-03-30T18:00:00.000Z',
    );
    expect(iso(windowCloseAfter(business, 'Europe/Warsaw', at('2025-10-26T12:00:00Z')))).toBe(
      '2025-10-26T19:00:00.000Z',
    );
    expect(isWithinWindow(business, 'Europe/Warsaw', at('2025-03-30T17:59:59.999Z'))).toBe(true);
    expect(isWithinWindow(business, 'Europe/Warsaw', at('2025-03-30T18:00:00Z'))).toBe(false);
  });

  it('opens a start that does not exist (02:30 on spring-forward day) at the end of the gap', () => {
    const early = window('02:30', '20:00');
    // 2025-03-30 Warsaw: 02:00 CET jumps to 03:00 CEST (01:00Z); 03:00 CEST, not luxon's 03:30.
    expect(iso(nextWindowOpening(early, 'Europe/Warsaw', at('2025-03-29T23:00:00Z')))).toBe('2025-03-30T01:00:00.000Z');
    expect(isWithinWindow(early, 'Europe/Warsaw', at('2025-03-30T00:59:59.999Z'))).toBe(false);
    expect(isWithinWindow(early, 'Europe/Warsaw', at('2025-03-30T01:00:00Z'))).toBe(true);
    // 2025-03-09 New York: 02:00 EST jumps to 03:00 EDT (07:00Z).
    expect(iso(nextWindowOpening(early, 'America/New_York', at('2025-03-09T05:00:00Z')))).toBe(
      '2025-03-09T07:00:00.000Z',
    );
    // 2025-10-05 Sydney: 02:00 AEST jumps to 03:00 AEDT (2025-10-04T16:00Z).
    expect(iso(nextWindowOpening(early, 'Australia/Sydney', at('2025-10-04T12:00:00Z')))).toBe(
      '2025-10-04T16:00:00.000Z',
    );
  });

  it('resolves an ambiguous boundary (fall-back day) to its first occurrence', () => {
    // 2025-10-26 Warsaw: 02:00-02:59 happens twice, first at +02 (00:00Z-00:59Z), then at +01.
    const fromHalfPastTwo = window('02:30', '20:00');
    expect(iso(nextWindowOpening(fromHalfPastTwo, 'Europe/Warsaw', at('2025-10-25T22:00:00Z')))).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    expect(isWithinWindow(fromHalfPastTwo, 'Europe/Warsaw', at('2025-10-26T01:10:00Z'))).toBe(true);

    const untilHalfPastTwo = window('01:00', '02:30');
    expect(iso(windowCloseAfter(untilHalfPastTwo, 'Europe/Warsaw', at('2025-10-26T00:00:00Z')))).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    // 02:10 CET reads inside 01:00-02:30, but the window closed at the first 02:30 and stays shut.
    expect(isWithinWindow(untilHalfPastTwo, 'Europe/Warsaw', at('2025-10-26T01:10:00Z'))).toBe(false);
    expect(iso(nextWindowOpening(untilHalfPastTwo, 'Europe/Warsaw', at('2025-10-26T01:10:00Z')))).toBe(
      '2025-10-27T00:00:00.000Z',
    );
  });

  it('includes a repeated hour wholly inside the window both times', () => {
    const night = window('01:00', '03:00');
    // 01:00 CEST (2025-10-25T23:00Z) to 03:00 CET (02:00Z): three real hours.
    expect(iso(nextWindowOpening(night, 'Europe/Warsaw', at('2025-10-25T20:00:00Z')))).toBe('2025-10-25T23:00:00.000Z');
    expect(iso(windowCloseAfter(night, 'Europe/Warsaw', at('2025-10-25T23:00:00Z')))).toBe('2025-10-26T02:00:00.000Z');
    expect(isWithinWindow(night, 'Europe/Warsaw', at('2025-10-26T00:30:00Z'))).toBe(true);
    expect(isWithinWindow(night, 'Europe/Warsaw', at('2025-10-26T01:30:00Z'))).toBe(true);
  });

  it('closes a 24:00 window at the first instant of the next local date', () => {
    const evening = window('18:00', '24:00');
    expect(iso(windowCloseAfter(evening, 'Europe/Warsaw', at('2025-03-29T20:00:00Z')))).toBe(
      '2025-03-29T23:00:00.000Z',
    );
    expect(iso(windowCloseAfter(evening, 'Europe/Warsaw', at('2025-10-25T20:00:00Z')))).toBe(
      '2025-10-25T22:00:00.000Z',
    );
    expect(isWithinWindow(evening, 'Europe/Warsaw', at('2025-03-29T22:59:59.999Z'))).toBe(true);
    expect(isWithinWindow(evening, 'Europe/Warsaw', at('2025-03-29T23:00:00Z'))).toBe(false);
  });

  it('handles zones that change clocks at midnight', () => {
    // Havana, 2025-03-09: 00:00 CST jumps to 01:00 CDT (05:00Z), so the date starts at 01:00.
    const allDay = window('00:00', '24:00', { days: ['SUN'] });
    expect(iso(nextWindowOpening(allDay, 'America/Havana', at('2025-03-08T12:00:00Z')))).toBe(
      '2025-03-09T05:00:00.000Z',
    );
    const saturdayEvening = window('20:00', '24:00', { days: ['SAT'] });
    expect(iso(windowCloseAfter(saturdayEvening, 'America/Havana', at('2025-03-09T02:00:00Z')))).toBe(
      '2025-03-09T05:00:00.000Z',
    );
    // Havana, 2025-11-02: 01:00 CDT goes back to 00:00 CST; the date starts at the first 00:00.
    expect(iso(nextWindowOpening(allDay, 'America/Havana', at('2025-11-01T12:00:00Z')))).toBe(
      '2025-11-02T04:00:00.000Z',
    );
    expect(iso(startOfNextLocalDay('America/Havana', at('2025-11-01T12:00:00Z')))).toBe('2025-11-02T04:00:00.000Z');
    // Santiago, 2025-04-05: 24:00 -03 goes back to 23:00 -04; 23:00-24:00 is inside twice.
    const lateSaturday = window('23:00', '24:00', { days: ['SAT'] });
    expect(iso(nextWindowOpening(lateSaturday, 'America/Santiago', at('2025-04-05T12:00:00Z')))).toBe(
      '2025-04-06T02:00:00.000Z',
    );
    expect(iso(windowCloseAfter(lateSaturday, 'America/Santiago', at('2025-04-06T02:00:00Z')))).toBe(
      '2025-04-06T04:00:00.000Z',
    );
  });

  it('merges back-to-back days into one open stretch', () => {
    const always = window('00:00', '24:00', { days: WEEKDAYS });
    // Monday noon in Warsaw: open without a break until Saturday 00:00 CET.
    expect(iso(windowCloseAfter(always, 'Europe/Warsaw', at('2025-03-24T11:00:00Z')))).toBe('2025-03-28T23:00:00.000Z');
    expect(windowCloseAfter(always, 'Europe/Warsaw', at('2025-03-29T11:00:00Z'))).toBeUndefined();
  });
});

describe('calling window, days and holidays', () => {
  const business = window('09:00', '20:00', { days: WEEKDAYS, holidays: ['2025-11-11'] });

  it('skips weekends and holidays', () => {
    // Friday 2025-11-07 20:30 CET → Monday 09:00; Monday 20:30 → Wednesday (Tuesday is a holiday).
    expect(iso(nextWindowOpening(business, 'Europe/Warsaw', at('2025-11-07T19:30:00Z')))).toBe(
      '2025-11-10T08:00:00.000Z',
    );
    expect(iso(nextWindowOpening(business, 'Europe/Warsaw', at('2025-11-10T19:30:00Z')))).toBe(
      '2025-11-12T08:00:00.000Z',
    );
    expect(isWithinWindow(business, 'Europe/Warsaw', at('2025-11-11T12:00:00Z'))).toBe(false);
  });

  it('reads weekday and holiday in the callee zone, not in UTC', () => {
    // 2025-11-10T23:30Z is Monday in UTC but Tuesday 2025-11-11 10:30 AEDT in Sydney: the holiday.
    const sydney = window('09:00', '20:00', { days: WEEKDAYS, holidays: ['2025-11-11'] });
    expect(isWithinWindow(sydney, 'Australia/Sydney', at('2025-11-10T23:30:00Z'))).toBe(false);
    expect(isWithinWindow(sydney, 'Australia/Sydney', at('2025-11-09T23:30:00Z'))).toBe(true);
    expect(localDate('Australia/Sydney', at('2025-11-10T23:30:00Z'))).toBe('2025-11-11');
    expect(localDate('America/New_York', at('2025-11-11T03:00:00Z'))).toBe('2025-11-10');
  });

  it('returns the candidate itself when it is inside', () => {
    const candidate = at('2025-11-12T10:15:30.123Z');
    expect(clampIntoWindow(business, 'Europe/Warsaw', candidate).getTime()).toBe(candidate.getTime());
  });

  it('gives up after the horizon when every open day is a holiday', () => {
    const mondays: string[] = [];
    for (let day = Date.UTC(2025, 0, 6); day < Date.UTC(2026, 1, 1); day += 7 * 86_400_000) {
      mondays.push(new Date(day).toISOString().slice(0, 10));
    }
    const never = window('09:00', '20:00', { days: ['MON'], holidays: mondays });
    expect(WINDOW_SEARCH_HORIZON_DAYS).toBe(366);
    expect(nextWindowOpening(never, 'Europe/Warsaw', at('2025-01-01T00:00:00Z'))).toBeUndefined();
    expect(() => clampIntoWindow(never, 'Europe/Warsaw', at('2025-01-01T00:00:00Z'))).toThrow(CallingWindowClosedError);
  });

  it('rejects unknown zones and invalid dates instead of guessing', () => {
    expect(() => isWithinWindow(business, 'Mars/Olympus_Mons', at('2025-01-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => isWithinWindow(business, 'Europe/Warsaw', new Date(Number.NaN))).toThrow(RangeError);
  });
});

/** The minute-by-minute checks walk up to weeks of minutes per case: ~10 s on CI, more on a loaded machine. */
const MINUTE_BY_MINUTE_TIMEOUT_MS = 90_000;

describe('calling window, properties', () => {
  const scenario = fc.record({ window: windowArbitrary, zoned: zonedInstantArbitrary });

  it('agrees with the local wall clock wherever the clock does not go back that day', () => {
    fc.assert(
      fc.property(scenario, ({ window, zoned: { zone, instant } }) => {
        fc.pre(!nearFallBack(zone, instant));
        expect(isWithinWindow(window, zone, instant)).toBe(insideByWallClock(window, zone, instant));
      }),
      { numRuns: 2_000 },
    );
  });

  it(
    'clamps into the window, never earlier, and skips no open minute',
    () => {
      fc.assert(
        fc.property(scenario, ({ window, zoned: { zone, instant: candidate } }) => {
          const result = nextWindowOpening(window, zone, candidate);
          fc.pre(result !== undefined);
          const clamped = clampIntoWindow(window, zone, candidate);
          expect(clamped.getTime()).toBe(result?.getTime());
          expect(clamped.getTime()).toBeGreaterThanOrEqual(candidate.getTime());
          expect(isWithinWindow(window, zone, clamped)).toBe(true);
          if (isWithinWindow(window, zone, candidate)) {
            expect(clamped.getTime()).toBe(candidate.getTime());
          } else {
            // The instant just before the opening is shut (the opening is an edge, not a jump).
            expect(isWithinWindow(window, zone, new Date(clamped.getTime() - 1))).toBe(false);
          }
          for (const minute of minutesBetween(candidate.getTime(), clamped.getTime())) {
            expect(isWithinWindow(window, zone, new Date(minute))).toBe(false);
          }
        }),
        { numRuns: 200 },
      );
    },
    MINUTE_BY_MINUTE_TIMEOUT_MS,
  );

  it(
    'reports a close after which the window is shut and before which it is open',
    () => {
      fc.assert(
        fc.property(scenario, ({ window, zoned: { zone, instant } }) => {
          const inside = nextWindowOpening(window, zone, instant);
          fc.pre(inside !== undefined);
          const start = inside ?? instant;
          const close = windowCloseAfter(window, zone, start);
          expect(close).toBeDefined();
          const end = close?.getTime() ?? 0;
          expect(end).toBeGreaterThan(start.getTime());
          expect(isWithinWindow(window, zone, new Date(end - 1))).toBe(true);
          if (end - start.getTime() < (WINDOW_SEARCH_HORIZON_DAYS - 1) * 86_400_000) {
            expect(isWithinWindow(window, zone, new Date(end))).toBe(false);
          }
          for (const minute of minutesBetween(start.getTime(), Math.min(end, start.getTime() + 3 * 86_400_000))) {
            expect(isWithinWindow(window, zone, new Date(minute))).toBe(true);
          }
        }),
        { numRuns: 200 },
      );
    },
    MINUTE_BY_MINUTE_TIMEOUT_MS,
  );

  it('never opens on a holiday or an excluded weekday', () => {
    fc.assert(
      fc.property(scenario, ({ window, zoned: { zone, instant } }) => {
        const opening = nextWindowOpening(window, zone, instant);
        fc.pre(opening !== undefined);
        const date = localDate(zone, opening ?? instant);
        expect(window.holidays).not.toContain(date);
        const weekday = ALL_DAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
        expect(window.days).toContain(weekday);
      }),
      { numRuns: 500 },
    );
  });

  it('starts the next local day after the current one and on a new date', () => {
    fc.assert(
      fc.property(zonedInstantArbitrary, ({ zone, instant }) => {
        const next = startOfNextLocalDay(zone, instant);
        expect(next.getTime()).toBeGreaterThan(instant.getTime());
        expect(localDate(zone, next) > localDate(zone, instant)).toBe(true);
        expect(localDate(zone, new Date(next.getTime() - 1))).toBe(localDate(zone, instant));
      }),
      { numRuns: 1_000 },
    );
  });

  it('never fails on any zone in the list for any instant', () => {
    fc.assert(
      fc.property(windowArbitrary, instantArbitrary('Pacific/Chatham'), (window, instant) => {
        expect(() => nextWindowOpening(window, 'Pacific/Chatham', instant)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Whole-minute instants strictly between `from` and `to`. Long gaps (a week of holidays) are
 * sampled: every minute of the first and last two days plus every 7th minute in between.
 */
function minutesBetween(from: number, to: number): number[] {
  const first = Math.floor(from / MINUTE) * MINUTE + MINUTE;
  const minutes: number[] = [];
  const denseSpan = 2 * 86_400_000;
  for (let minute = first; minute < to; minute += MINUTE) {
    const dense = minute - from < denseSpan || to - minute < denseSpan;
    if (dense || ((minute - first) / MINUTE) % 7 === 0) {
      minutes.push(minute);
    }
  }
  return minutes;
}
