import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dispatchTick,
  type TickReport,
  type TickSettings,
} from '../../../../functions/use-cases/dialing/dispatch-tick.ts';
import { campaignOf, DATE, Harness } from './harness.ts';

const settingsOf = (caps: {
  maxConcurrentCalls: number;
  dialsPerSecond: number;
  dialBurst?: number;
}): TickSettings => ({
  maxConcurrentCalls: caps.maxConcurrentCalls,
  dialsPerSecond: caps.dialsPerSecond,
  dialBurst: caps.dialBurst ?? 5,
  tickSeconds: 2,
  leaseSeconds: 600,
});

/** Runs one tick on the simulated clock and returns its report. */
async function tick(harness: Harness, settings: TickSettings, tickNumber: number, generation = 0): Promise<TickReport> {
  let report: TickReport | undefined;
  let failure: unknown;
  dispatchTick(harness.ports, settings, harness.campaign, {
    campaignId: harness.campaign.id,
    date: DATE,
    tick: tickNumber,
    generation,
  }).then(
    (value) => {
      report = value;
    },
    (error: unknown) => {
      failure = error;
    },
  );
  await harness.clock.run({ done: () => report !== undefined || failure !== undefined });
  if (failure !== undefined) throw failure;
  if (report === undefined) throw new Error('the tick never ended');
  return report;
}

/** Ticks back to back (as the state machine runs them) until the simulated time passes `seconds`. */
async function tickFor(harness: Harness, settings: TickSettings, seconds: number): Promise<TickReport[]> {
  const reports: TickReport[] = [];
  const end = harness.clock.now().getTime() + seconds * 1000;
  for (let number = 0; harness.clock.now().getTime() < end; number++) {
    const report = await tick(harness, settings, number);
    reports.push(report);
    if (report.next.action === 'FINALIZE') break;
    const next = report.next;
    const wakeAt =
      next.action === 'WAIT_UNTIL'
        ? Date.parse(next.waitUntil)
        : harness.clock.now().getTime() + (next.action === 'TICK' ? next.waitSeconds : 0) * 1000;
    if (next.action !== 'TICK' && next.action !== 'WAIT_UNTIL') break;
    await harness.clock.run({ until: new Date(wakeAt) });
    // Nothing left to happen before the wake-up: jump to it (as a Wait state does).
    await harness.clock.advanceTo(new Date(Math.min(wakeAt, end)));
  }
  return reports;
}

describe('dispatchTick', () => {
  it("spreads a tick's calls over the tick, never faster than the dial rate allows", async () => {
    const harness = new Harness({ maxConcurrentCalls: 50, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    harness.addContacts(100);
    const settings = settingsOf({ maxConcurrentCalls: 50, dialsPerSecond: 2, dialBurst: 5 });

    await tickFor(harness, settings, 20);

    // A token bucket of rate 2/s and burst 5: at most 5 + 2·w dials in any w seconds.
    for (const window of [1, 2, 5, 10]) expect(harness.maxDialsIn(window)).toBeLessThanOrEqual(5 + 2 * window);
    expect(harness.dials.length).toBeGreaterThanOrEqual(2 * 20 - 2);
  });

  it('never holds more lines than the cap, however many contacts are due and however fast it may dial', async () => {
    const harness = new Harness({
      maxConcurrentCalls: 7,
      dialsPerSecond: 40,
      behaviour: () => ({ seconds: 45, signals: { disconnectReason: 'CUSTOMER_DISCONNECT' } }),
    });
    harness.store.openRun('sim', DATE);
    harness.addContacts(200);

    const reports = await tickFor(
      harness,
      settingsOf({ maxConcurrentCalls: 7, dialsPerSecond: 40, dialBurst: 40 }),
      200,
    );

    expect(harness.store.peakInFlight).toBe(7);
    // Lines free up mid-tick and are used in the same tick: each call ends and the next starts within a second.
    expect(harness.dials.length).toBeGreaterThanOrEqual(Math.floor((7 * 200) / 46));
    // Tokens for slots without a free line go back to the bucket.
    expect(reports.some((report) => report.unusedTokens > 0)).toBe(true);
  });

  it('takes no tokens twice when the same tick runs again (a retry)', async () => {
    const harness = new Harness({ maxConcurrentCalls: 50, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    harness.addContacts(40);
    const settings = settingsOf({ maxConcurrentCalls: 50, dialsPerSecond: 2, dialBurst: 5 });

    const first = await tick(harness, settings, 3);
    const afterFirst = await harness.store.dialRate.get();
    const again = await tick(harness, settings, 3);

    expect(first.started).toBeGreaterThan(0);
    expect(again.repeated).toBe(true);
    expect(again.started).toBe(0);
    expect((await harness.store.dialRate.get())?.tokens).toBeGreaterThanOrEqual((afterFirst?.tokens ?? 0) - 1e-9);
    expect(harness.store.ticksOf('sim', DATE)).toHaveLength(1);
  });

  it('dials nobody when a tick that ended, and gave its unused tokens back, runs again after lines freed', async () => {
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 10 });
    harness.store.openRun('sim', DATE);
    harness.addContacts(40);
    const settings = settingsOf({ maxConcurrentCalls: 10, dialsPerSecond: 10, dialBurst: 20 });
    // Another run's calls hold every line for the whole first tick.
    const held = [...harness.store.lineCaps];
    held.forEach((cap, shard) => {
      harness.store.lineInFlight[shard] = cap;
    });

    const first = await tick(harness, settings, 3);
    expect(first.started).toBe(0);
    expect(first.unusedTokens).toBeGreaterThan(0);
    const afterFirst = await harness.store.dialRate.get();
    held.forEach((_, shard) => {
      harness.store.lineInFlight[shard] = 0;
    });
    const again = await tick(harness, settings, 3);

    expect(again.repeated).toBe(true);
    expect(again.started).toBe(0);
    expect(harness.dials).toHaveLength(0);
    expect((await harness.store.dialRate.get())?.version).toBe(afterFirst?.version);
  });

  it('uses what is left of its reservation when the same tick runs again after dying mid-way', async () => {
    const harness = new Harness({ maxConcurrentCalls: 50, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    harness.addContacts(40);
    const settings = settingsOf({ maxConcurrentCalls: 50, dialsPerSecond: 2, dialBurst: 5 });
    // A reservation of 6 tokens, 2 of them used, as a tick that died after its second call would leave it.
    const run = harness.store.runs.get(`sim#${DATE}`);
    if (run === undefined) throw new Error('no run');
    run.tickReservation = { tick: '0#3', tokens: 6, startedBefore: -2 };

    const again = await tick(harness, settings, 3);

    expect(again.repeated).toBe(true);
    expect(again.started).toBe(4);
  });

  it('does nothing in an execution that a newer generation has replaced', async () => {
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE, { generation: 2 });
    harness.addContacts(10);

    const report = await tick(harness, settingsOf({ maxConcurrentCalls: 10, dialsPerSecond: 2 }), 0, 1);

    expect(report.next).toEqual({ action: 'SUPERSEDED' });
    expect(harness.dials).toHaveLength(0);
  });

  it('moves a contact whose calling window is closed into its window instead of dialling it', async () => {
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    // 09:00 UTC is 18:00 in Tokyo and 04:00 in New York: outside an 08:00–21:00 window there.
    harness.addContacts(1, { timeZone: 'America/New_York' });

    await tick(harness, settingsOf({ maxConcurrentCalls: 10, dialsPerSecond: 2 }), 0);

    expect(harness.dials).toHaveLength(0);
    const [contact] = await harness.store.due('sim', DATE, new Date('2026-03-03T00:00:00Z'), 10);
    expect(contact).toBeDefined();
    expect(await harness.store.nextDue('sim', DATE)).toEqual(new Date('2026-03-02T13:00:00Z'));
  });

  it('stops the tick when Connect throttles, and gives the attempt back', async () => {
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 5, behaviour: () => 'THROTTLED' });
    harness.store.openRun('sim', DATE);
    harness.addContacts(20);

    const report = await tick(harness, settingsOf({ maxConcurrentCalls: 10, dialsPerSecond: 5 }), 0);

    expect(report.throttles).toBe(1);
    expect(report.started).toBe(0);
    expect(harness.store.countersOf('sim', DATE)).toMatchObject({ n_PENDING: 20, attemptsStarted: 0, inFlight: 0 });
    expect(report.dialRate).toBeLessThan(5);
  });

  it('keeps every invariant for any caps, list and call lengths (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 80 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 8 }),
        async (lines, rate, burst, contacts, durations) => {
          let index = 0;
          const harness = new Harness({
            maxConcurrentCalls: lines,
            dialsPerSecond: rate,
            behaviour: () => ({
              seconds: durations[index++ % durations.length] ?? 1,
              signals: {
                disconnectReason: 'CUSTOMER_DISCONNECT',
                connectedToSystemTimestamp: new Date(0).toISOString(),
              },
            }),
            campaign: campaignOf(),
          });
          harness.store.openRun('sim', DATE);
          harness.addContacts(contacts);
          await tickFor(harness, settingsOf({ maxConcurrentCalls: lines, dialsPerSecond: rate, dialBurst: burst }), 60);

          expect(harness.store.peakInFlight).toBeLessThanOrEqual(lines);
          for (const window of [1, 3, 10])
            expect(harness.maxDialsIn(window)).toBeLessThanOrEqual(burst + rate * window);
          // No (contact, attempt) dialled twice, and the counters equal the contacts.
          const attempts = harness.dials.map((dial) => `${dial.ref.phone}#${dial.ref.attempt}`);
          expect(new Set(attempts).size).toBe(attempts.length);
          const counters = harness.store.countersOf('sim', DATE);
          const byStatus = new Map<string, number>();
          for (const contact of harness.store.contacts.values()) {
            byStatus.set(contact.status, (byStatus.get(contact.status) ?? 0) + 1);
          }
          for (const [status, count] of byStatus) expect(counters[`n_${status}`] ?? 0).toBe(count);
          expect(counters.inFlight ?? 0).toBe(harness.store.inFlight());
          expect(counters.attemptsStarted ?? 0).toBe(harness.dials.length);
        },
      ),
      { numRuns: 40 },
    );
  });
});
