import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import { type FollowUpRef, FollowUpSender } from '../../../../functions/use-cases/follow-ups/follow-up-sender.ts';

const campaign = parseCampaign({
  id: 'follow',
  name: 'Follow',
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  callerId: '+48221234567',
  script: {
    greeting: 'Hi.',
    questions: [{ id: 'q1', prompt: 'Book?', keys: { '1': 'Yes', '2': 'No' } }],
    closing: 'Bye.',
  },
  followUps: [
    { id: 'booking', when: { q1: ['1'] }, sms: 'Call +48 22 123 45 67 to book.' },
    { id: 'declined', when: { q1: ['2'] }, sms: 'Maybe next time.' },
  ],
});
const contact = { campaignId: 'follow', date: '2026-11-22', phone: '+48601234567', answers: { q1: '1' } };

function ports() {
  const claimed = new Set<string>();
  const results: Array<{ ref: FollowUpRef; status: string }> = [];
  return {
    claimed,
    results,
    store: {
      claim: vi.fn(async (ref: FollowUpRef) => {
        const key = `${ref.phone}#${ref.ruleId}`;
        if (claimed.has(key)) return false;
        claimed.add(key);
        return true;
      }),
      recordResult: vi.fn(async (ref: FollowUpRef, result: { status: string }) => {
        results.push({ ref, status: result.status });
        return true;
      }),
    },
    sms: { send: vi.fn(async () => 'message-1') },
    alerts: { publish: vi.fn(async () => true) },
  };
}

describe('FollowUpSender', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('texts the instructions of every rule the answers select, once however often it is asked', async () => {
    const fake = ports();
    const sender = new FollowUpSender(fake);

    expect(await sender.afterAttempt(campaign, contact, 'COMPLETED')).toEqual([{ ruleId: 'booking', status: 'SENT' }]);
    expect(await sender.afterAttempt(campaign, contact, 'COMPLETED')).toEqual([
      { ruleId: 'booking', status: 'ALREADY_SENT' },
    ]);
    expect(fake.sms.send).toHaveBeenCalledTimes(1);
    expect(fake.sms.send).toHaveBeenCalledWith('+48601234567', 'Call +48 22 123 45 67 to book.');
    expect(fake.results).toEqual([{ ref: expect.objectContaining({ ruleId: 'booking' }), status: 'SENT' }]);
  });

  it('texts nobody who opted out or answered nothing that a rule selects', async () => {
    const fake = ports();
    const sender = new FollowUpSender(fake);

    expect(await sender.afterAttempt(campaign, contact, 'OPTED_OUT')).toEqual([]);
    expect(await sender.afterAttempt(campaign, { ...contact, flow: { optedOut: true } }, 'PARTIAL')).toEqual([]);
    expect(await sender.afterAttempt(campaign, { ...contact, answers: {} }, 'PARTIAL')).toEqual([]);
    expect(fake.sms.send).not.toHaveBeenCalled();
  });

  it('records a failed send, alerts, and does not try again', async () => {
    const fake = ports();
    fake.sms.send.mockRejectedValueOnce(Object.assign(new Error('spending limit'), { name: 'KMSThrottlingException' }));
    const sender = new FollowUpSender(fake);

    expect(await sender.afterAttempt(campaign, contact, 'COMPLETED')).toEqual([
      { ruleId: 'booking', status: 'FAILED' },
    ]);
    expect(fake.results).toEqual([{ ref: expect.objectContaining({ ruleId: 'booking' }), status: 'FAILED' }]);
    expect(fake.alerts.publish).toHaveBeenCalledWith(
      expect.objectContaining({
        condition: 'follow-up-failed#follow#2026-11-22',
        subject: '[ALERT] follow-up SMS failed',
        message: expect.stringMatching(
          /campaign follow, run 2026-11-22, .* at \d{4}-\d\d-\d\dT.*spending limit.*Next step/,
        ),
      }),
    );
    expect(await sender.afterAttempt(campaign, contact, 'COMPLETED')).toEqual([
      { ruleId: 'booking', status: 'ALREADY_SENT' },
    ]);
  });

  it('never throws: a storage failure is logged and reported as FAILED', async () => {
    const fake = ports();
    fake.store.claim.mockRejectedValueOnce(new Error('DynamoDB down'));

    await expect(new FollowUpSender(fake).afterAttempt(campaign, contact, 'COMPLETED')).resolves.toEqual([
      { ruleId: 'booking', status: 'FAILED' },
    ]);
  });
});
