/**
 * Calling-window arithmetic in the callee's time zone.
 *
 * A window is a wall-clock rule ("MON-FRI 09:00-20:00 except holidays") but the engine stores and
 * compares instants (UTC). Everything here converts between the two so that a 09:00-20:00 window
 * stays 09:00-20:00 on the callee's clock across daylight-saving changes.
 *
 * ## The definition (read this before changing anything)
 * For every callee-local calendar date `D` that is an allowed weekday and not a holiday, the window
 * is open on the half-open interval `[open(D), close(D))` where
 * - `open(D)`  = the earliest instant whose local reading is at or after `D start`,
 * - `close(D)` = the earliest instant whose local reading is at or after `D end`
 *   (`24:00` is the first instant of the next local date).
 *
 * Consequences, all deterministic:
 * - **Non-existent local times** (spring forward): a boundary that falls into the gap moves to the
 *   first instant after the gap. `start 02:30` on 2025-03-30 in Europe/Warsaw opens at 03:00 CEST,
 *   not 03:30 (luxon's `fromObject` would give 03:30 and silently lose half an hour of window).
 * - **Ambiguous local times** (fall back): a boundary that falls into the repeated hour resolves to
 *   its *first* occurrence (luxon picks the second). The interval stays one continuous stretch: a
 *   window ending at 02:30 on 2025-10-26 in Warsaw closes at 02:30 CEST and does not reopen when the
 *   clock reads 02:00-02:29 again. A repeated hour wholly inside the window is inside both times
 *   (that day's window is an hour longer, exactly as the callee experiences it).
 * - **Midnight**: `24:00` closes at the first instant of the next local date (which is 01:00 where a
 *   zone springs forward at midnight). `00:00` opens at the first instant of the date.
 * - A date whose window is empty (the date does not exist, or both boundaries fall into one gap)
 *   simply has no window.
 *
 * Assumption: a zone's local *date* never runs backwards. That holds for tzdata since 1970 (zones
 * that fall back at midnight go from 23:59:59 to 23:00 of the same date). Offsets are whole seconds.
 */
import type { IANAZone } from 'luxon';
import type { CallingWindow, Weekday } from '../campaign.ts';
import { memoisedZone } from './zone-offsets.ts';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const MINUTES_PER_DAY = 1_440;

/**
 * How far ahead the window search looks, in local days. A year covers any weekday set combined
 * with a realistic holiday list; a window that stays shut for longer is a configuration error the
 * caller has to surface (see {@link CallingWindowClosedError}).
 */
export const WINDOW_SEARCH_HORIZON_DAYS = 366;

const WEEKDAYS_BY_UTC_DAY: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Thrown by {@link clampIntoWindow} when no open instant exists within the search horizon. */
export class CallingWindowClosedError extends Error {
  constructor(zone: string, from: Date) {
    super(
      `calling window does not open within ${WINDOW_SEARCH_HORIZON_DAYS} days after ${from.toISOString()} (${zone})`,
    );
    this.name = 'CallingWindowClosedError';
  }
}

/** True when `instant` may be dialled: inside the window on the callee's local clock. */
export function isWithinWindow(window: CallingWindow, zone: string, instant: Date): boolean {
  const tz = resolveZone(zone);
  const at = toMillis(instant);
  const day = localDayNumber(tz, at);
  const interval = openIntervalOn(window, tz, day);
  return interval !== undefined && interval.open <= at && at < interval.close;
}

/**
 * The earliest instant at or after `from` that lies inside the window, or `undefined` when the
 * window stays shut for {@link WINDOW_SEARCH_HORIZON_DAYS} local days. Returning `undefined`
 * instead of throwing lets the retry policy turn "never again" into a final status.
 */
export function nextWindowOpening(window: CallingWindow, zone: string, from: Date): Date | undefined {
  const tz = resolveZone(zone);
  const at = toMillis(from);
  const firstDay = localDayNumber(tz, at);
  for (let day = firstDay; day <= firstDay + WINDOW_SEARCH_HORIZON_DAYS; day += 1) {
    const interval = openIntervalOn(window, tz, day);
    if (interval !== undefined && interval.close > at) {
      return new Date(Math.max(interval.open, at));
    }
  }
  return undefined;
}

/**
 * `candidate` when it may be dialled, otherwise the next opening: the one function a scheduler
 * needs to turn "earliest wanted time" into "earliest allowed time".
 * @throws CallingWindowClosedError when the window does not open within the search horizon.
 */
export function clampIntoWindow(window: CallingWindow, zone: string, candidate: Date): Date {
  const opening = nextWindowOpening(window, zone, candidate);
  if (opening === undefined) {
    throw new CallingWindowClosedError(zone, candidate);
  }
  return opening;
}

/**
 * When the open stretch containing `instant` ends, so a run can stop dialling (or alert) on time;
 * `undefined` when `instant` is outside the window. Back-to-back intervals (`00:00-24:00` on
 * consecutive days) count as one stretch; a window that never closes reports the end of the
 * search horizon rather than looping forever.
 */
export function windowCloseAfter(window: CallingWindow, zone: string, instant: Date): Date | undefined {
  const tz = resolveZone(zone);
  const at = toMillis(instant);
  const firstDay = localDayNumber(tz, at);
  const current = openIntervalOn(window, tz, firstDay);
  if (current === undefined || at < current.open || at >= current.close) {
    return undefined;
  }
  let close = current.close;
  for (let day = firstDay + 1; day <= firstDay + WINDOW_SEARCH_HORIZON_DAYS; day += 1) {
    const next = openIntervalOn(window, tz, day);
    if (next === undefined || next.open !== close) {
      break;
    }
    close = next.close;
  }
  return new Date(close);
}

/** The callee-local calendar date (`YYYY-MM-DD`) of `instant`; the unit of "attempts per day". */
export function localDate(zone: string, instant: Date): string {
  return isoDateOfDay(localDayNumber(resolveZone(zone), toMillis(instant)));
}

/**
 * The first instant of the callee-local date after the one containing `instant`. Used to push a
 * retry to "tomorrow" without assuming days are 24 hours long.
 */
export function startOfNextLocalDay(zone: string, instant: Date): Date {
  const tz = resolveZone(zone);
  return new Date(firstInstantAtOrAfter(tz, localDayNumber(tz, toMillis(instant)) + 1, 0));
}

interface OpenInterval {
  open: number;
  close: number;
}

/**
 * Memo of {@link computeOpenInterval}. The function is pure, so caching is invisible to callers; it
 * turns minute-by-minute scans (reports, tests) from milliseconds per call into a map lookup.
 */
const intervalCache = new Map<string, OpenInterval | null>();
const INTERVAL_CACHE_LIMIT = 20_000;

function openIntervalOn(window: CallingWindow, zone: IANAZone, day: number): OpenInterval | undefined {
  if (!window.days.includes(weekdayOfDay(day)) || window.holidays.includes(isoDateOfDay(day))) {
    return undefined;
  }
  const key = `${zone.name}|${window.start}|${window.end}|${day}`;
  let interval = intervalCache.get(key);
  if (interval === undefined) {
    if (intervalCache.size >= INTERVAL_CACHE_LIMIT) {
      intervalCache.clear();
    }
    interval = computeOpenInterval(zone, day, parseWallTime(window.start), parseWallTime(window.end)) ?? null;
    intervalCache.set(key, interval);
  }
  return interval ?? undefined;
}

function computeOpenInterval(
  zone: IANAZone,
  day: number,
  startMinute: number,
  endMinute: number,
): OpenInterval | undefined {
  const open = firstInstantAtOrAfter(zone, day, startMinute);
  const close = firstInstantAtOrAfter(zone, day, endMinute);
  return open < close ? { open, close } : undefined;
}

/**
 * The earliest instant whose local reading is at or after `minuteOfDay` on local day `day`
 * (days counted from 1970-01-01). Exact readings win (the earliest of them, i.e. the first pass
 * through a repeated hour); a reading inside a gap resolves to the end of the gap, found by
 * bisection because the zone's offset function is the only primitive Intl offers.
 */
function firstInstantAtOrAfter(zone: IANAZone, day: number, minuteOfDay: number): number {
  const target = day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  // Offsets in force a day either side cover every instant that can read `target` locally
  // (offsets lie within -12h..+14h), barring two transitions within 48 hours.
  const offsets = new Set([zone.offset(target - MS_PER_DAY), zone.offset(target), zone.offset(target + MS_PER_DAY)]);
  const candidates = [...offsets].map((offset) => Math.round(target - offset * MS_PER_MINUTE)).sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (wallClockMillis(zone, candidate) === target) {
      return candidate;
    }
  }
  // `target` lies in a gap: the local reading jumps from below it to above it at one instant.
  let below = candidates[0] ?? target;
  let atOrAbove = candidates[candidates.length - 1] ?? target;
  if (!(wallClockMillis(zone, below) < target && wallClockMillis(zone, atOrAbove) >= target)) {
    return atOrAbove;
  }
  while (atOrAbove - below > 1) {
    const middle = Math.floor((below + atOrAbove) / 2);
    if (wallClockMillis(zone, middle) >= target) {
      atOrAbove = middle;
    } else {
      below = middle;
    }
  }
  return atOrAbove;
}

/** Local reading of `instant` expressed as if it were UTC milliseconds. */
function wallClockMillis(zone: IANAZone, instant: number): number {
  return instant + Math.round(zone.offset(instant) * MS_PER_MINUTE);
}

function localDayNumber(zone: IANAZone, instant: number): number {
  return Math.floor(wallClockMillis(zone, instant) / MS_PER_DAY);
}

function weekdayOfDay(day: number): Weekday {
  // 1970-01-01 was a Thursday (UTC day index 4).
  return WEEKDAYS_BY_UTC_DAY[(((day + 4) % 7) + 7) % 7] ?? 'SUN';
}

/** ISO dates by day number: formatting a Date is slow, and the same few days come up again and again. */
const isoDates = new Map<number, string>();

function isoDateOfDay(day: number): string {
  let date = isoDates.get(day);
  if (date === undefined) {
    if (isoDates.size >= INTERVAL_CACHE_LIMIT) isoDates.clear();
    date = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    isoDates.set(day, date);
  }
  return date;
}

function parseWallTime(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  const total = hours * 60 + minutes;
  if (!match || minutes > 59 || total > MINUTES_PER_DAY) {
    throw new RangeError(`expected HH:MM between 00:00 and 24:00, got "${text}"`);
  }
  return total;
}

function resolveZone(zone: string): IANAZone {
  const resolved = memoisedZone(zone);
  if (!resolved.isValid) {
    throw new RangeError(`unknown IANA time zone "${zone}"`);
  }
  return resolved;
}

function toMillis(instant: Date): number {
  const millis = instant.getTime();
  if (Number.isNaN(millis)) {
    throw new RangeError('invalid Date');
  }
  return millis;
}
