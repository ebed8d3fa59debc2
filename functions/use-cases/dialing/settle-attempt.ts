/**
 * Ends one call attempt from what is known about it: classify the outcome, apply the retry
 * policy, release the line exactly once. Shared by the contact-event handler and the sweeper,
 * so a call settles the same way whether its event arrived or had to be reconciled.
 */
import type { CampaignStore } from '../../adapters/campaign-store.ts';
import { cachedCampaign } from '../../adapters/campaign-store.ts';
import type { AttemptRef, RunStore } from '../../adapters/run-store.ts';
import type { AttemptOutcome } from '../../core/campaign.ts';
import { classifyOutcome } from '../../core/policy/outcome.ts';
import { decideNextAttempt } from '../../core/policy/retry-policy.ts';
import { isFirstReach } from '../../core/report/summary.ts';
import { runEndsAt } from '../../core/run-clock.ts';
import { logger, maskPhone } from '../../lib/logger.ts';
import { MetricUnit, publishMetrics } from '../../lib/metrics.ts';
import type { FollowUpSender } from '../follow-ups/follow-up-sender.ts';

/** What Connect reported about the end of a call (the contact event or DescribeContact). */
export interface CallEndSignals {
  disconnectReason?: string;
  answeringMachineDetectionStatus?: string;
  connectedToSystemTimestamp?: string;
  disconnectTimestamp?: string;
  /** Set when nothing is known (a lost event): the outcome is this, not classified. */
  forcedOutcome?: AttemptOutcome;
}

export type SettleResult =
  | { settled: true; outcome: AttemptOutcome; decision: 'RETRY' | 'FINAL' }
  | { settled: false; reason: 'ALREADY_SETTLED' };

export async function settleAttempt(
  stores: { runs: RunStore; campaigns: CampaignStore; followUps?: Pick<FollowUpSender, 'afterAttempt'> },
  ref: AttemptRef,
  signals: CallEndSignals,
): Promise<SettleResult> {
  const { runs, campaigns } = stores;
  const contact = await runs.getContact(ref.campaignId, ref.date, ref.phone);
  if (contact === undefined || contact.status !== 'DIALING' || contact.attempts !== ref.attempt) {
    return { settled: false, reason: 'ALREADY_SETTLED' };
  }
  const stored = await cachedCampaign(campaigns, ref.campaignId);
  if (stored === undefined) throw new Error(`campaign "${ref.campaignId}" no longer exists`);
  const { campaign } = stored;
  const outcome =
    signals.forcedOutcome ??
    classifyOutcome({
      disconnectReason: signals.disconnectReason,
      answeringMachineDetectionStatus: signals.answeringMachineDetectionStatus,
      connectedToSystemTimestamp: signals.connectedToSystemTimestamp,
      // Progress of this attempt only: an earlier attempt's answers say nothing about this call.
      flow:
        contact.flow && (contact.flow.attempt ?? ref.attempt) === ref.attempt
          ? {
              questionsAnswered: contact.flow.questionsAnswered,
              questionsTotal: campaign.script.questions.length,
              completed: contact.flow.completed,
              optedOut: contact.flow.optedOut,
              transferred: contact.flow.transferred === true,
            }
          : undefined,
    });
  const endedAt = signals.disconnectTimestamp ? new Date(signals.disconnectTimestamp) : new Date();
  const decision = decideNextAttempt({
    policy: campaign.retryPolicy,
    window: campaign.callingWindow,
    zone: contact.timeZone,
    outcome,
    attempts: contact.attemptLog.map((entry) => ({
      at: new Date(entry.at),
      outcome: entry.n === ref.attempt ? outcome : (entry.outcome ?? 'UNKNOWN'),
    })),
    now: endedAt,
    runEndsAt: runEndsAt(ref.date),
  });
  const talkSeconds =
    signals.connectedToSystemTimestamp && signals.disconnectTimestamp
      ? Math.max(0, (Date.parse(signals.disconnectTimestamp) - Date.parse(signals.connectedToSystemTimestamp)) / 1000)
      : undefined;
  const released = await runs.finishAttempt({
    ref,
    outcome,
    next: decision.kind === 'RETRY' ? { kind: 'RETRY', at: decision.at } : { kind: 'FINAL', status: decision.status },
    endedAt,
    talkSeconds,
    attemptLog: contact.attemptLog,
    firstReach: isFirstReach(
      outcome,
      contact.attemptLog.filter((entry) => entry.n !== ref.attempt).map((entry) => entry.outcome),
    ),
  });
  logger.info('attempt ended', {
    campaignId: ref.campaignId,
    date: ref.date,
    phone: maskPhone(ref.phone),
    attempt: ref.attempt,
    outcome,
    decision: decision.kind === 'RETRY' ? `retry at ${decision.at.toISOString()}` : decision.status,
    released,
  });
  if (!released) return { settled: false, reason: 'ALREADY_SETTLED' };
  publishMetrics(
    { campaignId: ref.campaignId, outcome },
    { Outcome: 1, ...(talkSeconds !== undefined && { TalkSeconds: talkSeconds }) },
    { TalkSeconds: MetricUnit.Seconds },
  );
  if (stores.followUps !== undefined) await stores.followUps.afterAttempt(campaign, contact, outcome);
  return { settled: true, outcome, decision: decision.kind };
}
