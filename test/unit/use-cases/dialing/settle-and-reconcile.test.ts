/**
 * How a call ends and how lost calls are found again: settle-attempt (fail-safe included), endCall's resolution
 * of unrecorded calls, and the reconciliation of stale and unrecorded leases, on the in-memory ports.
 */
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../../functions/lib/transient-error.ts';
import { reconcileLeases } from '../../../../functions/use-cases/dialing/reconcile-leases.ts';
import { endCall, settleAttempt } from '../../../../functions/use-cases/dialing/settle-attempt.ts';
import { startCall } from '../../../../functions/use-cases/dialing/start-call.ts';
import { campaignOf, DATE, Harness, START } from './harness.ts';

const settings = { leaseSeconds: 600 };

async function claimAndDial(harness: Harness, phone: string) {
  const [contact] = await harness.store
    .due('sim', DATE, harness.clock.now(), 1_000)
    .then((due) => due.filter((entry) => entry.phone === phone));
  const [line] = await harness.store.shards();
  if (contact === undefined || line === undefined) throw new Error('nothing to dial');
  return startCall(harness.ports, settings, { callerId: '+48221234567', ringTimeoutSeconds: 30 }, contact, line);
}

describe('settleAttempt', () => {
  it('classifies from Connect and the flow, applies the retry policy, releases the line once', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    await claimAndDial(harness, phone);
    const ref = { campaignId: 'sim', date: DATE, phone, attempt: 1 };

    const first = await settleAttempt(harness.ports, ref, { disconnectReason: 'TELECOM_UNANSWERED' });
    const again = await settleAttempt(harness.ports, ref, { disconnectReason: 'TELECOM_UNANSWERED' });

    expect(first).toEqual({ settled: true, outcome: 'NO_ANSWER', decision: 'RETRY' });
    expect(again).toEqual({ settled: false, reason: 'ALREADY_SETTLED' });
    expect(harness.store.inFlight()).toBe(0);
    expect(harness.store.countersOf('sim', DATE)).toMatchObject({ n_PENDING: 1, o_NO_ANSWER: 1, inFlight: 0 });
  });

  it('adds the seconds the attempt held its line, claim to settlement, to the run once', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    await claimAndDial(harness, phone);
    await harness.clock.advanceTo(new Date(START.getTime() + 42_500));
    const ref = { campaignId: 'sim', date: DATE, phone, attempt: 1 };

    await settleAttempt(harness.ports, ref, { disconnectReason: 'TELECOM_UNANSWERED' });
    await harness.clock.advanceTo(new Date(START.getTime() + 60_000));
    await settleAttempt(harness.ports, ref, { disconnectReason: 'TELECOM_UNANSWERED' });

    expect(harness.store.countersOf('sim', DATE)).toMatchObject({ lineSeconds: 42.5, lineAttempts: 1 });
  });

  it("never settles a call UNKNOWN when the flow recorded the person's answers", async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    await claimAndDial(harness, phone);
    const ref = { campaignId: 'sim', date: DATE, phone, attempt: 1 };
    harness.store.recordFlow(ref, { questionsAnswered: 1, completed: true, optedOut: false });

    expect(await settleAttempt(harness.ports, ref, { unknown: true })).toMatchObject({
      outcome: 'COMPLETED',
      decision: 'FINAL',
    });
  });

  it('is fail-safe: a definition it cannot apply still releases the line, ends the contact FAILED and alerts', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    await claimAndDial(harness, phone);
    const alerts: string[] = [];
    const broken = structuredClone(campaignOf());
    // A retry delay far past anything a date can hold (stored before definitions were bounded): the retry
    // policy's arithmetic throws.
    broken.retryPolicy.retryDelays = { ...broken.retryPolicy.retryDelays, NO_ANSWER: 'PT99999999999999999999S' };
    const ports = {
      ...harness.ports,
      campaigns: { get: async () => ({ campaign: broken }) },
      alerts: { publish: async (alert: { subject: string }) => alerts.push(alert.subject) },
    };

    const result = await settleAttempt(
      ports,
      { campaignId: 'sim', date: DATE, phone, attempt: 1 },
      { disconnectReason: 'TELECOM_UNANSWERED' },
    );

    expect(result).toEqual({ settled: true, outcome: 'FAILED', decision: 'FINAL' });
    expect(harness.store.inFlight()).toBe(0);
    expect((await harness.store.get('sim', DATE, phone))?.status).toBe('FAILED');
    expect(alerts).toEqual(['[ALERT] calls of sim 2026-03-02 could not be settled']);
  });

  it('is fail-safe when the campaign is gone, and lets infrastructure errors through to be retried', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [first = '', second = ''] = harness.addContacts(2);
    harness.loseEvents = true;
    await claimAndDial(harness, first);
    await claimAndDial(harness, second);
    const gone = { ...harness.ports, campaigns: { get: async () => undefined } };
    expect(await settleAttempt(gone, { campaignId: 'sim', date: DATE, phone: first, attempt: 1 }, {})).toMatchObject({
      outcome: 'FAILED',
    });

    const busy = Object.assign(new Error('busy'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const failing = { ...harness.ports, campaigns: { get: async () => Promise.reject(busy) } };
    await expect(settleAttempt(failing, { campaignId: 'sim', date: DATE, phone: second, attempt: 1 }, {})).rejects.toBe(
      busy,
    );
    expect((await harness.store.get('sim', DATE, second))?.status).toBe('DIALING');
  });
});

describe('endCall', () => {
  it('settles a call the dispatcher never recorded, read back from Connect, and ignores contacts it did not place', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    const started = await claimAndDial(harness, phone);
    if (started.kind !== 'STARTED') throw new Error('not started');
    // The dispatcher died before recording the call: only Connect knows which attempt it is.
    harness.store.calls.delete(started.connectContactId);

    expect(await endCall(harness.ports, started.connectContactId, { disconnectReason: 'TELECOM_BUSY' })).toMatchObject({
      settled: true,
      outcome: 'BUSY',
    });
    expect(await harness.store.find(started.connectContactId)).toEqual({
      campaignId: 'sim',
      date: DATE,
      phone,
      attempt: 1,
    });
    expect(await endCall(harness.ports, 'someone-elses-call', { disconnectReason: 'CUSTOMER_DISCONNECT' })).toEqual({
      settled: false,
      reason: 'NOT_OURS',
    });
  });
});

describe('reconcileLeases', () => {
  const reconcileSettings = { maxCallSeconds: 600, unrecordedSeconds: 60 };

  it('finds an unrecorded call by sending its request again (no second call), and settles it once it ended', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    const started = await claimAndDial(harness, phone);
    if (started.kind !== 'STARTED') throw new Error('not started');
    harness.store.calls.delete(started.connectContactId);
    const lease = [...harness.store.leases.values()][0];
    if (lease !== undefined) delete lease.connectContactId;
    await harness.clock.advanceTo(new Date(START.getTime() + 90_000));

    const report = await reconcileLeases(harness.ports, reconcileSettings);

    expect(report).toMatchObject({ leases: 1, settled: 1, failed: 0 });
    expect(harness.dials).toHaveLength(1);
    expect(harness.store.inFlight()).toBe(0);
  });

  it('dials an attempt whose claim landed but whose call never went out, once, inside the window', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    const [contact] = await harness.store.due('sim', DATE, START, 1);
    const [line] = await harness.store.shards();
    if (contact === undefined || line === undefined) throw new Error('nothing due');
    await harness.store.claim(contact, line, START, 600);
    await harness.clock.advanceTo(new Date(START.getTime() + 61_000));

    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ recovered: 1 });
    expect(harness.dials.map((dial) => dial.ref)).toEqual([{ campaignId: 'sim', date: DATE, phone, attempt: 1 }]);
    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ leases: 0 });
  });

  it("gives the attempt back when the callee's window has closed, instead of calling late", async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    harness.addContacts(1);
    const [contact] = await harness.store.due('sim', DATE, START, 1);
    const [line] = await harness.store.shards();
    if (contact === undefined || line === undefined) throw new Error('nothing due');
    await harness.store.claim(contact, line, START, 86_400);
    // 20:59 UTC is 21:59 in Warsaw: the 08:00–21:00 window has closed.
    await harness.clock.advanceTo(new Date('2026-03-02T20:59:00Z'));

    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ returned: 1 });
    expect(harness.dials).toHaveLength(0);
    expect(harness.store.countersOf('sim', DATE)).toMatchObject({ n_PENDING: 1, inFlight: 0, attemptsStarted: 0 });
  });

  it('keeps the line of a call past the longest call that Connect says still goes on, and settles it once it ends', async () => {
    // A callee put through to a queue: the call holds a Connect line for 20 minutes, past the 10-minute lease.
    const harness = new Harness({
      maxConcurrentCalls: 5,
      dialsPerSecond: 2,
      behaviour: () => ({ seconds: 1_200, signals: { disconnectReason: 'CUSTOMER_DISCONNECT' } }),
    });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    await claimAndDial(harness, phone);
    await harness.clock.advanceTo(new Date(START.getTime() + 700_000));

    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ leases: 1, live: 1, settled: 0 });
    expect(harness.store.inFlight()).toBe(1);
    // Not looked at again until its new deadline.
    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ leases: 0 });

    await harness.clock.advanceTo(new Date(START.getTime() + 1_400_000));
    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ leases: 1, settled: 1 });
    expect(harness.store.inFlight()).toBe(0);
    expect((await harness.store.get('sim', DATE, phone))?.attempts).toBe(1);
  });

  it('leaves a stale lease for the next sweep while Connect is too busy to describe its call', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [phone = ''] = harness.addContacts(1);
    harness.loseEvents = true;
    await claimAndDial(harness, phone);
    await harness.clock.advanceTo(new Date(START.getTime() + 700_000));
    const ports = {
      ...harness.ports,
      describeEnd: async () => {
        throw new TransientError('Connect is busy: TooManyRequestsException');
      },
    };

    expect(await reconcileLeases(ports, reconcileSettings)).toMatchObject({ leases: 1, failed: 1 });
    expect(harness.store.inFlight()).toBe(1);
    expect(await reconcileLeases(harness.ports, reconcileSettings)).toMatchObject({ leases: 1, settled: 1 });
    expect(harness.store.inFlight()).toBe(0);
  });

  it('settles a lease past the longest call from Connect, and goes on past a lease that fails', async () => {
    const harness = new Harness({ maxConcurrentCalls: 5, dialsPerSecond: 2 });
    harness.store.openRun('sim', DATE);
    const [a = '', b = ''] = harness.addContacts(2);
    harness.loseEvents = true;
    await claimAndDial(harness, a);
    await claimAndDial(harness, b);
    await harness.clock.advanceTo(new Date(START.getTime() + 700_000));
    let failedOnce = false;
    const ports = {
      ...harness.ports,
      describeEnd: async (contactId: string) => {
        if (!failedOnce && contactId === harness.dials[0]?.connectContactId) {
          failedOnce = true;
          throw new Error('Connect is down');
        }
        return harness.ports.describeEnd(contactId);
      },
      contacts: {
        ...harness.ports.contacts,
        get: async (campaignId: string, date: string, phone: string) => {
          if (phone === a && !failedOnce) throw new Error('DynamoDB is down');
          return harness.store.get(campaignId, date, phone);
        },
      },
    };

    const report = await reconcileLeases(ports, reconcileSettings);

    expect(report.leases).toBe(2);
    expect(report.settled + report.unknown + report.failed).toBe(2);
    expect(report.failed).toBeLessThanOrEqual(1);
  });
});
