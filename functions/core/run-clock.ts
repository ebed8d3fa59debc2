/**
 * When a run's day ends and how a run execution continues. Pure, so the dispatcher's choices
 * can be tested without a clock or a database.
 */
import { DateTime } from 'luxon';

/** Ticks one execution runs before continuing as a new one (each tick is ~6 history events). */
export const TICKS_PER_EXECUTION = 1_000;

/**
 * Longest a run sleeps between two looks at its status by default (the stage's `runMaxSleepSeconds`): a pause or
 * stop sent while it waits for its next due contact (a frequency cap, a retry hours away, tomorrow's window) takes
 * effect within this time, not when it wakes. Each wake costs a tick (a few state transitions).
 */
export const MAX_SLEEP_SECONDS = 60;

/**
 * The end of a run's date: midnight after it in the latest time zone a callee can have. Contacts
 * carry their own zones, so the run lasts until the day is over for all of them (UTC-12 at most).
 */
export function runEndsAt(date: string): Date {
  let end = runEnds.get(date);
  if (end === undefined) {
    if (runEnds.size >= 1_000) runEnds.clear();
    end = DateTime.fromISO(date, { zone: 'Etc/GMT+12' }).plus({ days: 1 }).toMillis();
    runEnds.set(date, end);
  }
  return new Date(end);
}

/** Ends of run dates already worked out: every settled attempt asks, and luxon takes tens of µs to answer. */
const runEnds = new Map<string, number>();

/** Whether the date is before today in every time zone (a date in the past cannot be run). */
export function isPastDate(date: string, now: Date): boolean {
  return runEndsAt(date).getTime() <= now.getTime();
}

export function executionName(campaignId: string, date: string, generation: number): string {
  return `${campaignId}-${date}-g${generation}`;
}

export type TickAction =
  | { action: 'TICK'; waitSeconds: number }
  | { action: 'WAIT_UNTIL'; waitUntil: string }
  | { action: 'FINALIZE' }
  | { action: 'CONTINUE_AS_NEW'; nextGeneration: number; nextExecutionName: string };

/**
 * What the run does after a tick:
 * - stopped or past its day, with no calls left in flight: finalize;
 * - nothing waiting and nothing in flight: finalize;
 * - nothing due for a while and no calls in flight: sleep until the next due attempt, at most `maxSleepSeconds`
 *   (default MAX_SLEEP_SECONDS: a pause or stop is seen that soon);
 * - otherwise tick again: at once after a dialing tick (which already spent the tick's time), else when the next
 *   contact falls due (a second from now at the soonest, so a tick that could not dial does not spin), a tick
 *   from now at the latest (calls in flight may end in retries due sooner).
 */
export function nextAction(input: {
  campaignId: string;
  date: string;
  generation: number;
  tick: number;
  now: Date;
  tickSeconds: number;
  status: string;
  inFlight: number;
  waiting: number;
  nextDue?: Date;
  dialedThisTick: boolean;
  maxSleepSeconds?: number;
}): TickAction {
  const { now, tickSeconds } = input;
  const ended = input.status === 'STOPPING' || now >= runEndsAt(input.date);
  if ((ended || input.waiting === 0) && input.inFlight <= 0) return { action: 'FINALIZE' };
  if (input.tick + 1 >= TICKS_PER_EXECUTION) {
    const nextGeneration = input.generation + 1;
    return {
      action: 'CONTINUE_AS_NEW',
      nextGeneration,
      nextExecutionName: executionName(input.campaignId, input.date, nextGeneration),
    };
  }
  if (!ended && input.status === 'RUNNING' && input.inFlight <= 0 && input.nextDue !== undefined) {
    const wakeAt = new Date(
      Math.min(
        input.nextDue.getTime(),
        runEndsAt(input.date).getTime(),
        now.getTime() + (input.maxSleepSeconds ?? MAX_SLEEP_SECONDS) * 1000,
      ),
    );
    if (wakeAt.getTime() - now.getTime() > tickSeconds * 1000) {
      return { action: 'WAIT_UNTIL', waitUntil: wakeAt.toISOString() };
    }
  }
  if (input.dialedThisTick) return { action: 'TICK', waitSeconds: 0 };
  const untilDue =
    input.waiting > 0 && input.nextDue !== undefined
      ? Math.max(1, Math.ceil((input.nextDue.getTime() - now.getTime()) / 1000))
      : tickSeconds;
  return { action: 'TICK', waitSeconds: Math.min(tickSeconds, untilDue) };
}
