import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import { CampaignPolicySchema, isConsentGiven } from '../../../../functions/core/policy/campaign-policy.ts';
import {
  ContactPolicySchema,
  campaignPolicyProblems,
  policyOfStage,
  rulesCounting,
  rulesHolding,
} from '../../../../functions/core/policy/contact-policy.ts';

const POLICY = ContactPolicySchema.parse({
  rules: [
    { id: 'monthly', within: 'P30D', max: 3 },
    { id: 'reminders-daily', within: 'P1D', max: 1, appliesTo: { categories: ['reminder'] } },
    { id: 'commercial-month', within: 'P30D', max: 4, counts: 'ATTEMPTS', appliesTo: { purposes: ['COMMERCIAL'] } },
  ],
  callerIdPools: { 'pl-local': { numbers: [{ number: '+48221110001', tiers: [{ per: 'PT1S', max: 1 }] }] } },
});

describe('the stage contact policy', () => {
  it('refuses rules it cannot keep, by path', () => {
    const result = ContactPolicySchema.safeParse({
      rules: [
        { id: 'a', within: 'P400D', max: 3 },
        { id: 'a', within: 'P1D', max: 500 },
        { id: 'b', within: '30 days', max: 1 },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['rules.0.within', 'rules.1.max', 'rules.2.within', 'rules.1.id']));
  });

  it('falls back to the default section for a stage it does not name', () => {
    expect(policyOfStage({ default: POLICY }, 'prod')).toBe(POLICY);
    expect(policyOfStage({}, 'prod')).toEqual({ rules: [], callerIdPools: {} });
  });

  it('applies rules by purpose and category, and exemptions only hold nothing back', () => {
    const reminder = CampaignPolicySchema.parse({
      category: 'reminder',
      capExemptions: [{ rule: 'monthly', reason: 'vaccination reminders agreed with the regulator' }],
    });
    expect(rulesCounting(POLICY, reminder).map((rule) => rule.id)).toEqual(['monthly', 'reminders-daily']);
    expect(rulesHolding(POLICY, reminder).map((rule) => rule.id)).toEqual(['reminders-daily']);
  });

  it('names exemptions and pools the stage does not have', () => {
    const campaign = parseCampaign({
      id: 'x',
      name: 'X',
      defaultCountry: 'PL',
      timeZone: 'Europe/Warsaw',
      callerId: '+48221234567',
      script: { greeting: 'Hi.', questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }], closing: 'Bye.' },
      policy: { capExemptions: [{ rule: 'weekly', reason: 'a reason long enough' }], callerIdPool: 'uk-local' },
    });
    expect(campaignPolicyProblems(campaign, POLICY).map((problem) => problem.path)).toEqual([
      'policy.capExemptions.0.rule',
      'policy.callerIdPool',
    ]);
  });
});

describe('a campaign policy', () => {
  it('requires consent as the basis of a commercial campaign, and a reason for every exemption', () => {
    const result = CampaignPolicySchema.safeParse({
      purpose: 'COMMERCIAL',
      lawfulBasis: 'LEGITIMATE_INTERESTS',
      capExemptions: [{ rule: 'monthly', reason: 'no' }],
    });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['lawfulBasis', 'capExemptions.0.reason']),
    );
  });

  it('reads consent cells', () => {
    for (const yes of ['yes', ' TAK ', '1', 'true', '2026-01-05', 'x']) expect(isConsentGiven(yes), yes).toBe(true);
    for (const no of ['', 'no', '0', 'nie', 'false', 'maybe', undefined])
      expect(isConsentGiven(no), String(no)).toBe(false);
  });
});
