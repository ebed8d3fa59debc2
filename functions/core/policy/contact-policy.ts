/**
 * The stage's contact policy (`config/contact-policy.yml`, one section per stage): frequency caps that hold across
 * every campaign and day, and the caller-ID pools campaigns may dial from. Pure: the schema, and what a campaign's
 * definition must agree with.
 *
 * A cap rule counts, per person (phone number), either the attempts placed or the calls answered within a rolling
 * period, over the campaigns it applies to (`appliesTo`: purposes and/or categories; every campaign when empty).
 * A campaign the rule applies to is held back by it unless the campaign names it in `policy.capExemptions` with a
 * reason; the exempt campaign's own calls still count against the others.
 */
import { Duration } from 'luxon';
import { z } from 'zod';
import type { Campaign } from '../campaign.ts';
import { type CampaignPolicy, PolicyIdSchema, type Purpose, PurposeSchema } from './campaign-policy.ts';

const E164 = /^\+[1-9]\d{6,14}$/;

/** Longest period a rule may count over: one year (the person's ledger keeps calls that long). */
export const MAX_RULE_PERIOD_SECONDS = 366 * 86_400;
/** Most calls a rule may allow per period: a person's ledger keeps their last {@link LEDGER_CALLS} calls. */
export const MAX_RULE_CALLS = 50;
/** Calls a person's ledger keeps (within the longest rule's period): bounds the item at a few kilobytes. */
export const LEDGER_CALLS = 100;

/** A period such as `PT1H`, `P1D`, `P7D`: days, hours, minutes, seconds. */
const periodSchema = (minSeconds: number, maxSeconds: number) =>
  z
    .string()
    .max(16)
    .regex(/^P(?!$)(\d{1,4}D)?(T(?=\d)(\d{1,5}H)?(\d{1,5}M)?(\d{1,5}S)?)?$/, 'a period such as PT1S, PT1H, P1D or P30D')
    .refine(
      (text) => {
        const seconds = periodSeconds(text);
        return seconds >= minSeconds && seconds <= maxSeconds;
      },
      `between ${minSeconds} s and ${maxSeconds / 86_400} days`,
    );

/** Seconds in a period of {@link periodSchema}. */
export function periodSeconds(text: string): number {
  return Duration.fromISO(text).as('seconds');
}

export const CapRuleSchema = z.object({
  id: PolicyIdSchema,
  /** The rolling period counted, e.g. `P30D`. */
  within: periodSchema(60, MAX_RULE_PERIOD_SECONDS),
  /** Most calls (of the kind counted) a person may get within the period. */
  max: z.number().int().min(1).max(MAX_RULE_CALLS),
  /** `ATTEMPTS`: calls placed (rung); `ANSWERED`: calls a person picked up. */
  counts: z.enum(['ATTEMPTS', 'ANSWERED']).default('ATTEMPTS'),
  /** Which campaigns the rule holds back and counts: all of them when both lists are absent. */
  appliesTo: z
    .object({
      purposes: z.array(PurposeSchema).min(1).max(2).optional(),
      categories: z.array(PolicyIdSchema).min(1).max(20).optional(),
    })
    .default({}),
  /** Why the rule exists (a law, a promise), shown with the holds it causes. */
  description: z.string().max(300).optional(),
});
export type CapRule = z.infer<typeof CapRuleSchema>;

/** One rate tier of a caller number: at most `max` calls within any `per`. */
export const CallerTierSchema = z.object({
  per: periodSchema(1, 86_400),
  max: z.number().int().min(1).max(1_000_000),
});
export type CallerTier = z.infer<typeof CallerTierSchema>;

export const CallerNumberSchema = z.object({
  /** E.164, claimed in the Connect instance, answering return calls (docs/contact-policy.md). */
  number: z.string().regex(E164, 'E.164 number such as +48221234567'),
  /** Preferred for callees whose number starts with one of these (local presence), e.g. `+4822`, `+1212`. */
  prefixes: z
    .array(z.string().regex(/^\+[1-9]\d{0,7}$/, 'a number prefix such as +48 or +4822'))
    .max(50)
    .default([]),
  tiers: z.array(CallerTierSchema).min(1).max(5),
});
export type CallerNumber = z.infer<typeof CallerNumberSchema>;

export const CallerIdPoolSchema = z
  .object({
    numbers: z.array(CallerNumberSchema).min(1).max(200),
    description: z.string().max(300).optional(),
  })
  .refine((pool) => new Set(pool.numbers.map((entry) => entry.number)).size === pool.numbers.length, {
    message: 'a number is listed twice',
  });
export type CallerIdPool = z.infer<typeof CallerIdPoolSchema>;

export const ContactPolicySchema = z
  .object({
    rules: z.array(CapRuleSchema).max(10).default([]),
    callerIdPools: z.record(PolicyIdSchema, CallerIdPoolSchema).default({}),
  })
  .superRefine((policy, context) => {
    const ids = policy.rules.map((rule) => rule.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) {
        context.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `rule "${id}" twice` });
      }
    });
    if (Object.keys(policy.callerIdPools).length > 50) {
      context.addIssue({ code: 'custom', path: ['callerIdPools'], message: 'at most 50 pools' });
    }
  });
export type ContactPolicy = z.infer<typeof ContactPolicySchema>;

export const EMPTY_CONTACT_POLICY: ContactPolicy = { rules: [], callerIdPools: {} };

/** The file: one policy per stage, `default` for stages it does not name. */
export const ContactPolicyFileSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), ContactPolicySchema);

/** The policy of `stage` in a parsed file: its own section, else `default`, else no rules and no pools. */
export function policyOfStage(file: z.infer<typeof ContactPolicyFileSchema>, stage: string): ContactPolicy {
  return file[stage] ?? file.default ?? EMPTY_CONTACT_POLICY;
}

/** What a rule needs to know of a campaign, or of a call a ledger remembers. */
export interface CallScope {
  purpose: Purpose;
  category?: string;
}

/** Whether `rule` counts calls of, and holds back, campaigns of this scope. */
export function ruleApplies(rule: CapRule, scope: CallScope): boolean {
  const { purposes, categories } = rule.appliesTo;
  if (purposes !== undefined && !purposes.includes(scope.purpose)) return false;
  if (categories !== undefined && (scope.category === undefined || !categories.includes(scope.category))) return false;
  return true;
}

/** The rules that count a campaign's calls (exempt or not): when none, its calls need no ledger. */
export function rulesCounting(policy: ContactPolicy, campaign: CampaignPolicy): CapRule[] {
  return policy.rules.filter((rule) => ruleApplies(rule, campaign));
}

/** The rules that hold a campaign back: those that apply to it and it is not exempt from. */
export function rulesHolding(policy: ContactPolicy, campaign: CampaignPolicy): CapRule[] {
  const exempt = new Set(campaign.capExemptions.map((exemption) => exemption.rule));
  return rulesCounting(policy, campaign).filter((rule) => !exempt.has(rule.id));
}

/** The pool a campaign dials from, if it names one that exists. */
export function poolOf(policy: ContactPolicy, campaign: Pick<Campaign, 'policy'>): CallerIdPool | undefined {
  const id = campaign.policy.callerIdPool;
  return id === undefined ? undefined : policy.callerIdPools[id];
}

/** Problems of a campaign's `policy` against the stage's contact policy, by path (for `PUT /campaigns/{id}`). */
export function campaignPolicyProblems(
  campaign: Pick<Campaign, 'policy'>,
  policy: ContactPolicy,
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const ruleIds = policy.rules.map((rule) => rule.id);
  campaign.policy.capExemptions.forEach((exemption, index) => {
    if (!ruleIds.includes(exemption.rule)) {
      problems.push({
        path: `policy.capExemptions.${index}.rule`,
        message: `no rule "${exemption.rule}" in this stage's contact policy (rules: ${ruleIds.join(', ') || 'none'})`,
      });
    }
  });
  const pool = campaign.policy.callerIdPool;
  if (pool !== undefined && policy.callerIdPools[pool] === undefined) {
    const pools = Object.keys(policy.callerIdPools);
    problems.push({
      path: 'policy.callerIdPool',
      message: `no caller-ID pool "${pool}" in this stage's contact policy (pools: ${pools.join(', ') || 'none'})`,
    });
  }
  return problems;
}
