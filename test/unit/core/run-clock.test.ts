import { describe, expect, it } from 'vitest';
import {
  isPastDate,
  MAX_SLEEP_SECONDS,
  nextAction,
  runEndsAt,
  TICKS_PER_EXECUTION,
} from '../../../functions/core/run-clock.ts';

const base = {
  campaignId: 'demo',
  date: '2026-11-23',
  generation: 0,
  tick: 3,
  now: new Date('2026-11-23T10:00:00Z'),
  tickSeconds: 5,
  status: 'RUNNING',
  inFlight: 0,
  waiting: 10,
  dialedThisTick: false,
};

describe('runEndsAt / isPastDate', () => {
  it('ends a run when the date is over in the last time zone (UTC-12)', () => {
    expect(runEndsAt('2026-11-23').toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(isPastDate('2026-11-23', new Date('2026-11-24T11:59:59Z'))).toBe(false);
    expect(isPastDate('2026-11-23', new Date('2026-11-24T12:00:00Z'))).toBe(true);
  });
});

describe('nextAction', () => {
  it('finalizes when nothing waits and no call is in flight', () => {
    expect(nextAction({ ...base, waiting: 0 })).toEqual({ action: 'FINALIZE' });
  });

  it('waits for calls in flight before finalizing a stopped run', () => {
    expect(nextAction({ ...base, status: 'STOPPING', inFlight: 2 })).toEqual({ action: 'TICK', waitSeconds: 5 });
    expect(nextAction({ ...base, status: 'STOPPING', inFlight: 0 })).toEqual({ action: 'FINALIZE' });
  });

  it('finalizes after the run day even with contacts waiting', () => {
    expect(nextAction({ ...base, now: new Date('2026-11-24T12:00:01Z') })).toEqual({ action: 'FINALIZE' });
  });

  it('sleeps until the next due attempt when it is more than a tick away', () => {
    const nextDue = new Date('2026-11-23T10:00:40Z');
    expect(nextAction({ ...base, nextDue })).toEqual({ action: 'WAIT_UNTIL', waitUntil: nextDue.toISOString() });
  });

  it('sleeps at most a minute, so a pause or stop sent meanwhile is seen within a minute', () => {
    const nextDue = new Date('2026-11-23T11:00:00Z');
    expect(nextAction({ ...base, nextDue })).toEqual({
      action: 'WAIT_UNTIL',
      waitUntil: new Date(base.now.getTime() + MAX_SLEEP_SECONDS * 1000).toISOString(),
    });
  });

  it("sleeps at most the stage's own limit when it sets one", () => {
    const nextDue = new Date('2026-11-23T11:00:00Z');
    expect(nextAction({ ...base, nextDue, maxSleepSeconds: 15 })).toEqual({
      action: 'WAIT_UNTIL',
      waitUntil: new Date(base.now.getTime() + 15_000).toISOString(),
    });
  });

  it('ticks again when the next contact falls due within a tick, not a whole tick later', () => {
    expect(nextAction({ ...base, nextDue: new Date('2026-11-23T10:00:03Z') })).toEqual({
      action: 'TICK',
      waitSeconds: 3,
    });
    // Due already but not dialled (no line, no token): look again in a second, not at once.
    expect(nextAction({ ...base, inFlight: 2, nextDue: new Date('2026-11-23T09:59:00Z') })).toEqual({
      action: 'TICK',
      waitSeconds: 1,
    });
  });

  it('ticks again at once after a tick that dialed (the tick already spent its time)', () => {
    expect(nextAction({ ...base, inFlight: 3, dialedThisTick: true })).toEqual({ action: 'TICK', waitSeconds: 0 });
  });

  it('continues as a new execution before the history limit', () => {
    expect(nextAction({ ...base, tick: TICKS_PER_EXECUTION - 1, inFlight: 1 })).toEqual({
      action: 'CONTINUE_AS_NEW',
      nextGeneration: 1,
      nextExecutionName: 'demo-2026-11-23-g1',
    });
  });
});
