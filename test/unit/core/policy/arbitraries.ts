/**
 * Shared fast-check generators for the policy tests: zones with awkward DST rules, calling
 * windows and instants that cluster around clock changes.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { CallingWindow, Weekday } from '../../../../functions/core/campaign.ts';

export const ALL_DAYS: Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/**
 * Zones the properties run in: the three the brief names, plus zones that change clocks at
 * midnight (Havana forward 00:00→01:00 and back 01:00→00:00, Santiago 24:00→23:00, Beirut
 * 00:00→23:00 of the previous date), a 45-minute offset (Chatham) and one without DST.
 */
export const ZONES = [
  'Europe/Warsaw',
  'America/New_York',
  'Australia/Sydney',
  'America/Havana',
  'America/Santiago',
  'Asia/Beirut',
  'Pacific/Chatham',
  'Asia/Kolkata',
] as const;

const RANGE_START = Date.UTC(2024, 0, 1);
const RANGE_END = Date.UTC(2026, 11, 31);
const HOUR = 3_600_000;

/** Instants (epoch ms, within the hour) at which each zone's offset changes, 2024-2026. */
export const TRANSITIONS: ReadonlyMap<string, number[]> = new Map(
  ZONES.map((zone) => {
    const found: number[] = [];
    let previous = DateTime.fromMillis(RANGE_START, { zone }).offset;
    for (let at = RANGE_START; at < RANGE_END; at += HOUR) {
      const offset = DateTime.fromMillis(at, { zone }).offset;
      if (offset !== previous) {
        found.push(at);
        previous = offset;
      }
    }
    return [zone, found];
  }),
);

export const zoneArbitrary = fc.constantFrom(...ZONES);

/** Wall times biased towards midnight, DST-hour and common business edges. */
const wallTime = fc.oneof(
  fc.constantFrom('00:00', '00:30', '01:00', '02:00', '02:30', '03:00', '09:00', '20:00', '23:00', '23:30', '24:00'),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45, 59))
    .map(([hours, minutes]) => `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`),
);

const isoDate = fc
  .integer({ min: Math.floor(RANGE_START / 86_400_000), max: Math.floor(RANGE_END / 86_400_000) })
  .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));

export const windowArbitrary: fc.Arbitrary<CallingWindow> = fc
  .record({
    days: fc.subarray(ALL_DAYS, { minLength: 1 }),
    bounds: fc.tuple(wallTime, wallTime).filter(([start, end]) => start !== end),
    holidays: fc.array(isoDate, { maxLength: 40 }),
  })
  .map(({ days, bounds, holidays }) => {
    const [start, end] = bounds[0] < bounds[1] ? bounds : [bounds[1], bounds[0]];
    return { days, start, end, holidays };
  });

/** Instants anywhere in 2024-2026, or within two days of one of the zone's clock changes. */
export function instantArbitrary(zone: string): fc.Arbitrary<Date> {
  const transitions = TRANSITIONS.get(zone) ?? [];
  const anywhere = fc.integer({ min: RANGE_START, max: RANGE_END });
  const nearChange =
    transitions.length === 0
      ? anywhere
      : fc
          .tuple(fc.constantFrom(...transitions), fc.integer({ min: -48 * HOUR, max: 48 * HOUR }))
          .map(([at, shift]) => at + shift);
  return fc
    .oneof(
      anywhere,
      nearChange,
      nearChange.map((at) => Math.round(at / 60_000) * 60_000),
    )
    .map((at) => new Date(at));
}

/** A zone together with an instant drawn for that zone. */
export const zonedInstantArbitrary = zoneArbitrary.chain((zone) =>
  instantArbitrary(zone).map((instant) => ({ zone, instant })),
);

/**
 * Independent oracle: is the instant inside the window by reading the local clock with luxon?
 * Matches the implementation wherever the local clock does not run backwards that day.
 */
export function insideByWallClock(window: CallingWindow, zone: string, instant: Date): boolean {
  const local = DateTime.fromJSDate(instant, { zone });
  const weekday = ALL_DAYS[local.weekday - 1];
  if (weekday === undefined || !window.days.includes(weekday) || window.holidays.includes(local.toISODate() ?? '')) {
    return false;
  }
  const minute = local.hour * 60 + local.minute;
  return minute >= toMinutes(window.start) && minute < toMinutes(window.end);
}

/** True when the zone's clock goes back within a day of `instant`. */
export function nearFallBack(zone: string, instant: Date): boolean {
  const at = instant.getTime();
  return (TRANSITIONS.get(zone) ?? []).some(
    (change) =>
      Math.abs(change - at) <= 26 * HOUR &&
      DateTime.fromMillis(change, { zone }).offset < DateTime.fromMillis(change - HOUR, { zone }).offset,
  );
}

function toMinutes(text: string): number {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  return hours * 60 + minutes;
}
