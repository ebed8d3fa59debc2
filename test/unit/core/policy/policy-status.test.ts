import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import { recordUse } from '../../../../functions/core/policy/caller-id-tiers.ts';
import { ContactPolicySchema } from '../../../../functions/core/policy/contact-policy.ts';
import { callsByCallerId, policyStatus } from '../../../../functions/core/policy/policy-status.ts';

const stage = ContactPolicySchema.parse({
  rules: [
    { id: 'daily', within: 'P1D', max: 1, description: 'one a day' },
    { id: 'monthly', within: 'P30D', max: 3 },
  ],
  callerIdPools: { local: { numbers: [{ number: '+48221110001', tiers: [{ per: 'PT1H', max: 600 }] }] } },
});
const campaign = parseCampaign({
  id: 'x',
  name: 'X',
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  callerId: '+48221234567',
  script: { greeting: 'Hi.', questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }], closing: 'Bye.' },
  policy: {
    lawfulBasis: 'PUBLIC_TASK',
    callerIdPool: 'local',
    capExemptions: [{ rule: 'monthly', reason: 'statutory public-health notices' }],
  },
});

describe('policyStatus', () => {
  it('shows the basis, the rules holding the campaign and its exemptions, the holds, and the pool in use', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const usage = recordUse(recordUse({}, [{ per: 'PT1H', max: 600 }], now), [{ per: 'PT1H', max: 600 }], now);
    const status = policyStatus(
      campaign,
      stage,
      { capHolds: 4, n_CAPPED: 2, cid_48221110001: 7 },
      [{ number: '+48221110001', version: 2, usage }],
      now,
    );
    expect(status).toEqual({
      purpose: 'INFORMATIONAL',
      lawfulBasis: 'PUBLIC_TASK',
      caps: {
        rules: [{ id: 'daily', within: 'P1D', max: 1, counts: 'ATTEMPTS', description: 'one a day' }],
        exemptions: [{ rule: 'monthly', reason: 'statutory public-health notices' }],
        holds: 4,
        capped: 2,
      },
      legalHoursOverrides: [],
      callerIds: {
        pool: 'local',
        numbers: [{ number: '+48221110001', calls: 7, tiers: [{ per: 'PT1H', max: 600, used: 2 }] }],
      },
    });
  });

  it('reads calls per caller number from the counters', () => {
    expect(callsByCallerId({ cid_48221110001: 3, cid_48221110002: 0, attemptsStarted: 9 })).toEqual({
      '+48221110001': 3,
    });
  });
});
