/**
 * What a run's status, report and dashboard show of the contact policy: the campaign's purpose and lawful basis, the
 * frequency caps that hold it back (and the ones it is exempt from, with the reasons), how many contacts they held
 * back and ended, the legal-hours overrides, and the caller-ID pool's use. Pure: from the definition, the stage's
 * policy, the run's counters and the pool's usage.
 */
import type { Campaign } from '../campaign.ts';
import { CALLER_COUNTER_PREFIX, type CallerUsage, callerIdCounter, tierUse } from './caller-id-tiers.ts';
import { type ContactPolicy, poolOf, rulesHolding } from './contact-policy.ts';

export interface PolicyStatus {
  purpose: string;
  lawfulBasis: string;
  category?: string;
  caps: {
    rules: Array<{ id: string; within: string; max: number; counts: string; description?: string }>;
    exemptions: Array<{ rule: string; reason: string }>;
    /** Times a cap held one of the run's contacts back to a later time (`capHolds`). */
    holds: number;
    /** Contacts a cap ended, because it freed them only after the run. */
    capped: number;
  };
  legalHoursOverrides: Array<{ country: string; reason: string }>;
  callerIds?: {
    pool: string;
    numbers: Array<{ number: string; calls: number; tiers: Array<{ per: string; max: number; used: number }> }>;
  };
}

/** The run's calls per caller number, from its counters (`cid_<digits>`). */
export function callsByCallerId(counters: Readonly<Record<string, number>>): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters)) {
    if (name.startsWith(CALLER_COUNTER_PREFIX) && value !== 0)
      calls[`+${name.slice(CALLER_COUNTER_PREFIX.length)}`] = value;
  }
  return calls;
}

export function policyStatus(
  campaign: Pick<Campaign, 'policy'>,
  stage: ContactPolicy,
  counters: Readonly<Record<string, number>>,
  usage: readonly CallerUsage[],
  now: Date,
): PolicyStatus {
  const { policy } = campaign;
  const pool = poolOf(stage, campaign);
  const used = new Map(usage.map((entry) => [entry.number, entry.usage]));
  return {
    purpose: policy.purpose,
    lawfulBasis: policy.lawfulBasis,
    ...(policy.category !== undefined && { category: policy.category }),
    caps: {
      rules: rulesHolding(stage, policy).map((rule) => ({
        id: rule.id,
        within: rule.within,
        max: rule.max,
        counts: rule.counts,
        ...(rule.description !== undefined && { description: rule.description }),
      })),
      exemptions: policy.capExemptions,
      holds: counters.capHolds ?? 0,
      capped: counters.n_CAPPED ?? 0,
    },
    legalHoursOverrides: policy.legalHoursOverrides,
    ...(pool !== undefined &&
      policy.callerIdPool !== undefined && {
        callerIds: {
          pool: policy.callerIdPool,
          numbers: pool.numbers.map((entry) => ({
            number: entry.number,
            calls: counters[callerIdCounter(entry.number)] ?? 0,
            tiers: tierUse(used.get(entry.number) ?? {}, entry.tiers, now),
          })),
        },
      }),
  };
}
