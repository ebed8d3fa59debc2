/**
 * The contact policy on the dial path, on the in-memory ports: frequency caps across campaigns dialling at the same
 * time, caller-ID pools and their tiers, and legal hours at the moment of the call.
 */
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../../functions/core/campaign.ts';
import { type ContactPolicy, ContactPolicySchema } from '../../../../functions/core/policy/contact-policy.ts';
import { foldLedger } from '../../../../functions/core/policy/frequency-caps.ts';
import {
  dispatchTick,
  type TickReport,
  type TickSettings,
} from '../../../../functions/use-cases/dialing/dispatch-tick.ts';
import { campaignOf, DATE, Harness, START } from './harness.ts';

const settingsOf = (
  contactPolicy: ContactPolicy,
  caps = { maxConcurrentCalls: 50, dialsPerSecond: 10 },
): TickSettings => ({
  ...caps,
  dialBurst: 10,
  tickSeconds: 2,
  leaseSeconds: 600,
  contactPolicy,
});

/** Ticks the campaigns side by side (one state machine each) until `seconds` of simulated time have passed. */
async function runTogether(harness: Harness, settings: TickSettings, campaigns: Campaign[], seconds: number) {
  const reports: TickReport[] = [];
  const end = harness.clock.now().getTime() + seconds * 1000;
  for (let number = 0; harness.clock.now().getTime() < end; number++) {
    let pending = campaigns.length;
    let failure: unknown;
    for (const campaign of campaigns) {
      dispatchTick(harness.ports, settings, campaign, {
        campaignId: campaign.id,
        date: DATE,
        tick: number,
        generation: 0,
      }).then(
        (report) => {
          reports.push(report);
          pending--;
        },
        (error: unknown) => {
          failure = error;
          pending--;
        },
      );
    }
    await harness.clock.run({ done: () => pending === 0 });
    if (failure !== undefined) throw failure;
    await harness.clock.advanceTo(new Date(harness.clock.now().getTime() + 1_000));
  }
  return reports;
}

const DAILY_POLICY = ContactPolicySchema.parse({
  rules: [{ id: 'daily', within: 'P1D', max: 1, appliesTo: { categories: ['reminder'] } }],
});

describe('frequency caps across campaigns', () => {
  it('never calls a person twice within a day, however two campaigns sharing the numbers interleave', async () => {
    const first = campaignOf({ id: 'first', policy: { category: 'reminder' } });
    const second = campaignOf({ id: 'second', policy: { category: 'reminder' } });
    const harness = new Harness({ maxConcurrentCalls: 50, dialsPerSecond: 10, campaign: first });
    harness.otherCampaigns.set('second', second);
    harness.store.openRun('first', DATE);
    harness.store.openRun('second', DATE);
    const phones = harness.addContacts(40, { campaignId: 'first' });
    harness.addContacts(40, { campaignId: 'second' });

    const reports = await runTogether(harness, settingsOf(DAILY_POLICY), [first, second], 120);

    const dialsPerPhone = new Map<string, number>();
    for (const dial of harness.dials) dialsPerPhone.set(dial.ref.phone, (dialsPerPhone.get(dial.ref.phone) ?? 0) + 1);
    expect([...dialsPerPhone.values()].every((count) => count === 1)).toBe(true);
    expect(dialsPerPhone.size).toBe(phones.length);
    // Every person got exactly one call; the other campaign's contact waits a day for the cap to free them.
    expect(reports.reduce((sum, report) => sum + report.capHolds, 0)).toBe(phones.length);
    for (const phone of phones) {
      const call = harness.dials.find((dial) => dial.ref.phone === phone);
      const other = call?.ref.campaignId === 'first' ? 'second' : 'first';
      const held = await harness.store.get(other, DATE, phone);
      expect(held?.attempts).toBe(0);
      expect(held?.heldBy?.rule).toBe('daily');
      expect(Date.parse(held?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual((call?.at ?? 0) + 86_400_000);
    }
  });

  it('ends a contact CAPPED when the cap frees the person only after the run', async () => {
    const policy = ContactPolicySchema.parse({ rules: [{ id: 'two-days', within: 'P2D', max: 1 }] });
    const first = campaignOf({ id: 'first' });
    const second = campaignOf({ id: 'second' });
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 10, campaign: first });
    harness.otherCampaigns.set('second', second);
    harness.store.openRun('first', DATE);
    harness.store.openRun('second', DATE);
    harness.addContacts(5, { campaignId: 'first' });
    const phones = harness.addContacts(5, { campaignId: 'second', dueAt: new Date(START.getTime() + 30_000) });
    await runTogether(harness, settingsOf(policy), [first, second], 90);
    expect(harness.store.countersOf('second', DATE).n_CAPPED).toBe(5);
    expect(harness.store.countersOf('second', DATE).t_0).toBe(5);
    const capped = await harness.store.get('second', DATE, phones[0] ?? '');
    expect(capped).toMatchObject({ status: 'CAPPED', heldBy: { rule: 'two-days' } });
  });

  it('holds a contact until the cap frees it when that is within the run, then calls it', async () => {
    const policy = ContactPolicySchema.parse({ rules: [{ id: 'hourly', within: 'PT1H', max: 1 }] });
    const first = campaignOf({ id: 'first' });
    const second = campaignOf({ id: 'second' });
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 10, campaign: first });
    harness.otherCampaigns.set('second', second);
    harness.store.openRun('first', DATE);
    harness.store.openRun('second', DATE);
    const [phone = ''] = harness.addContacts(1, { campaignId: 'first' });
    harness.addContacts(1, { campaignId: 'second', dueAt: new Date(START.getTime() + 60_000) });

    await runTogether(harness, settingsOf(policy), [first, second], 180);
    const held = await harness.store.get('second', DATE, phone);
    expect(held?.status).toBe('PENDING');
    expect(held?.heldBy?.rule).toBe('hourly');
    const firstCall = harness.dials[0]?.at ?? 0;
    expect(Date.parse(held?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(firstCall + 3_600_000);

    await harness.clock.advanceTo(new Date(firstCall + 3_600_000));
    await runTogether(harness, settingsOf(policy), [second], 30);
    const calls = harness.dials.filter((dial) => dial.ref.phone === phone);
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(3_600_000);
  });

  it('records answers in the ledger, and a dial refused before it rang is taken back', async () => {
    const policy = ContactPolicySchema.parse({
      rules: [{ id: 'answered', within: 'P7D', max: 1, counts: 'ANSWERED' }],
    });
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 10, campaign: campaignOf({ id: 'first' }) });
    harness.store.openRun('first', DATE);
    let throttle = true;
    harness.behaviour = () => {
      if (throttle) {
        throttle = false;
        return 'THROTTLED';
      }
      return {
        seconds: 20,
        signals: {
          disconnectReason: 'CUSTOMER_DISCONNECT',
          connectedToSystemTimestamp: new Date(START.getTime() + 1_000).toISOString(),
        },
      };
    };
    const [phone = ''] = harness.addContacts(1, { campaignId: 'first' });
    await runTogether(harness, settingsOf(policy), [harness.campaign], 60);
    const ledger = await harness.store.personLedgers.read(phone);
    const calls = foldLedger(ledger);
    // The throttled dial is gone from the ledger (else, not yet settled, it would have held the second try back);
    // the call that rang is there, answered.
    expect(harness.dials.filter((dial) => dial.ref.phone === phone)).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.answered).toBe(true);
  });

  it('lets an exempt campaign through, and still counts its calls against the others', async () => {
    const policy = ContactPolicySchema.parse({ rules: [{ id: 'daily', within: 'P2D', max: 1 }] });
    const exempt = campaignOf({
      id: 'exempt',
      policy: { capExemptions: [{ rule: 'daily', reason: 'emergency notices, exempt by statute' }] },
    });
    const plain = campaignOf({ id: 'plain' });
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 10, campaign: exempt });
    harness.otherCampaigns.set('plain', plain);
    harness.store.openRun('exempt', DATE);
    harness.store.openRun('plain', DATE);
    harness.addContacts(3, { campaignId: 'exempt' });
    harness.addContacts(3, { campaignId: 'plain', dueAt: new Date(START.getTime() + 30_000) });
    await runTogether(harness, settingsOf(policy), [exempt, plain], 90);
    expect(harness.dials.filter((dial) => dial.ref.campaignId === 'exempt')).toHaveLength(3);
    expect(harness.dials.filter((dial) => dial.ref.campaignId === 'plain')).toHaveLength(0);
    expect(harness.store.countersOf('plain', DATE).n_CAPPED).toBe(3);
  });
});

describe('caller-ID pools', () => {
  const pool = ContactPolicySchema.parse({
    callerIdPools: {
      low: {
        numbers: [
          {
            number: '+48221110001',
            tiers: [
              { per: 'PT10S', max: 1 },
              { per: 'PT1H', max: 100 },
            ],
          },
          {
            number: '+48221110002',
            tiers: [
              { per: 'PT10S', max: 1 },
              { per: 'PT1H', max: 100 },
            ],
          },
        ],
      },
    },
  });

  it('paces a run down to its pool and never crosses a tier', async () => {
    const campaign = campaignOf({ id: 'pooled', policy: { callerIdPool: 'low' } });
    const harness = new Harness({ maxConcurrentCalls: 50, dialsPerSecond: 10, campaign });
    harness.store.openRun('pooled', DATE);
    harness.addContacts(12, { campaignId: 'pooled' });
    const reports = await runTogether(harness, settingsOf(pool), [campaign], 75);

    expect(new Set(harness.dials.map((dial) => dial.source))).toEqual(new Set(['+48221110001', '+48221110002']));
    for (const number of ['+48221110001', '+48221110002']) {
      const times = harness.dials.filter((dial) => dial.source === number).map((dial) => dial.at);
      for (let index = 1; index < times.length; index++) {
        expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(10_000);
      }
    }
    // Two numbers at 1 per 10 s: about 0.2 dials a second, not the 10 the dial rate allows.
    expect(harness.dials.length).toBeGreaterThanOrEqual(12);
    expect(harness.maxDialsIn(10)).toBeLessThanOrEqual(2);
    expect(reports.some((report) => report.poolWaits > 0)).toBe(true);
    // The attempt log names the number; the run counts each number's calls.
    const contact = await harness.store.get('pooled', DATE, harness.dials[0]?.ref.phone ?? '');
    expect(contact?.attemptLog[0]?.callerId).toBe(harness.dials[0]?.source);
    const counters = harness.store.countersOf('pooled', DATE);
    expect((counters.cid_48221110001 ?? 0) + (counters.cid_48221110002 ?? 0)).toBe(harness.dials.length);
  });

  it('shares a number between campaigns without crossing its tier', async () => {
    const first = campaignOf({ id: 'first', policy: { callerIdPool: 'low' } });
    const second = campaignOf({ id: 'second', policy: { callerIdPool: 'low' } });
    const harness = new Harness({ maxConcurrentCalls: 50, dialsPerSecond: 10, campaign: first });
    harness.otherCampaigns.set('second', second);
    harness.store.openRun('first', DATE);
    harness.store.openRun('second', DATE);
    harness.addContacts(6, { campaignId: 'first' });
    harness.addContacts(6, { campaignId: 'second' });
    await runTogether(harness, settingsOf(pool), [first, second], 70);
    for (const number of ['+48221110001', '+48221110002']) {
      const times = harness.dials.filter((dial) => dial.source === number).map((dial) => dial.at);
      for (let index = 1; index < times.length; index++) {
        expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(10_000);
      }
    }
    expect(harness.dials.length).toBe(12);
  });
});

describe('legal hours at the moment of the call', () => {
  it('waits for 8:00 in New York before calling a US number, whatever the campaign window says', async () => {
    const campaign = campaignOf({
      id: 'us',
      defaultCountry: 'PL',
      callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '00:00', end: '24:00' },
      policy: { legalHoursOverrides: [{ country: 'PL', reason: 'no statutory hours; testing the US cut' }] },
    });
    const harness = new Harness({ maxConcurrentCalls: 10, dialsPerSecond: 10, campaign });
    harness.store.openRun('us', DATE);
    // 09:00 UTC is 04:00 in New York.
    harness.store.addContact({
      campaignId: 'us',
      date: DATE,
      phone: '+12125550123',
      timeZone: 'America/New_York',
      dueAt: START,
    });
    await runTogether(harness, settingsOf(ContactPolicySchema.parse({})), [campaign], 10);
    expect(harness.dials).toHaveLength(0);
    const waiting = await harness.store.get('us', DATE, '+12125550123');
    expect(waiting?.nextAttemptAt).toBe('2026-03-02T13:00:00.000Z');
  });
});
