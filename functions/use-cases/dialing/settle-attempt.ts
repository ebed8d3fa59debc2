/**
 * How a call ends: one attempt, from what is known about its end to a released line and a contact that waits
 * for its next attempt or is finished. Shared by the contact-event handler, the reconciliation of stale leases
 * and the resolution of contacts the engine has no record of, so a call settles the same way however its end
 * became known.
 *
 * 1. The outcome is classified from Connect's signals and the flow's own record of this attempt
 *    (functions/core/policy/outcome.ts); with no signal at all, the flow's record alone decides, so a person who
 *    answered every question is never settled UNKNOWN and called again.
 * 2. The campaign's retry policy decides: retry at a time inside the callee's calling window, or a final status.
 * 3. The line is released and the contact settled in one transaction, exactly once.
 * 4. Follow-up messages matching the answers are sent.
 *
 * Fail-safe: when step 1 or 2 fails for a reason retrying cannot fix (the campaign was deleted, its definition
 * cannot be applied), the line is still released, the contact ends FAILED with the reason, and an alert names the
 * campaign. One campaign's bad data never holds lines that another campaign needs.
 */

import { settlementFailedAlert } from '../../core/alerts/run-alerts.ts';
import type { AttemptOutcome, Campaign } from '../../core/campaign.ts';
import { classifyOutcome } from '../../core/policy/outcome.ts';
import { decideNextAttempt } from '../../core/policy/retry-policy.ts';
import { isFirstReach } from '../../core/report/summary.ts';
import { runEndsAt } from '../../core/run-clock.ts';
import { logger, maskPhone, maskPhonesIn } from '../../lib/logger.ts';
import { MetricUnit, publishMetrics } from '../../lib/metrics.ts';
import { TransientError } from '../../lib/transient-error.ts';
import type { SettledContact } from '../follow-ups/follow-up-sender.ts';
import type {
  AttemptRef,
  CallEndSignals,
  CallLookUp,
  CallMap,
  Clock,
  ContactRecord,
  Contacts,
  LineLeases,
  NextAttempt,
} from './ports.ts';

export interface SettlePorts {
  contacts: Pick<Contacts, 'get'>;
  leases: Pick<LineLeases, 'finish'>;
  /** The campaign's definition (cached by the caller). */
  campaigns: { get(campaignId: string): Promise<{ campaign: Campaign } | undefined> };
  followUps?: { afterAttempt(campaign: Campaign, contact: SettledContact, outcome: AttemptOutcome): Promise<unknown> };
  alerts?: { publish(alert: ReturnType<typeof settlementFailedAlert>, now: Date): Promise<unknown> };
  clock: Pick<Clock, 'now'>;
}

export type SettleResult =
  | { settled: true; outcome: AttemptOutcome; decision: 'RETRY' | 'FINAL' }
  | { settled: false; reason: 'ALREADY_SETTLED' };

/** The campaign's definition could not be applied to this call: retrying will not help. */
class SettlementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettlementError';
  }
}

/** A line is held at most a day: a longer span is a clock fault, not a call, and is left out of the run's line time. */
const MAX_LINE_SECONDS = 86_400;

/**
 * Seconds from the attempt's claim (its attempt-log entry's `at`) to its settlement now: the time its line was held
 * as the dispatcher sees it, ring, talk and the event's way back included (what a live estimate must plan with).
 */
function lineHeldSeconds(claimedAt: string | undefined, now: Date): number | undefined {
  if (claimedAt === undefined) return undefined;
  const seconds = (now.getTime() - Date.parse(claimedAt)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_LINE_SECONDS
    ? Math.round(seconds * 10) / 10
    : undefined;
}

/** Errors of DynamoDB, Connect, the network: the caller retries those, they say nothing about the call. */
function isInfrastructureFailure(error: unknown): boolean {
  return error instanceof TransientError || (typeof error === 'object' && error !== null && '$metadata' in error);
}

export async function settleAttempt(
  ports: SettlePorts,
  ref: AttemptRef,
  signals: CallEndSignals,
): Promise<SettleResult> {
  const contact = await ports.contacts.get(ref.campaignId, ref.date, ref.phone);
  if (contact === undefined || contact.status !== 'DIALING' || contact.attempts !== ref.attempt) {
    return { settled: false, reason: 'ALREADY_SETTLED' };
  }
  const logIndex = contact.attemptLog.findIndex((entry) => entry.n === ref.attempt);
  const line = contact.attemptLog[logIndex]?.line ?? 0;
  const endedAt = signals.disconnectTimestamp ? new Date(signals.disconnectTimestamp) : ports.clock.now();
  const talkSeconds =
    signals.connectedToSystemTimestamp && signals.disconnectTimestamp
      ? Math.max(0, (Date.parse(signals.disconnectTimestamp) - Date.parse(signals.connectedToSystemTimestamp)) / 1000)
      : undefined;
  const lineSeconds = lineHeldSeconds(contact.attemptLog[logIndex]?.at, ports.clock.now());

  let campaign: Campaign | undefined;
  let outcome: AttemptOutcome;
  let next: NextAttempt;
  let failureReason: string | undefined;
  try {
    campaign = (await ports.campaigns.get(ref.campaignId))?.campaign;
    if (campaign === undefined) throw new SettlementError(`campaign "${ref.campaignId}" no longer exists`);
    outcome = outcomeOf(campaign, contact, ref, signals);
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
    next = decision.kind === 'RETRY' ? { kind: 'RETRY', at: decision.at } : { kind: 'FINAL', status: decision.status };
    if (next.kind === 'RETRY' && !Number.isFinite(next.at.getTime())) {
      throw new SettlementError('the retry policy gave no valid time for the next attempt');
    }
  } catch (error) {
    if (isInfrastructureFailure(error)) throw error;
    failureReason = maskPhonesIn(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(
      0,
      500,
    );
    outcome = 'FAILED';
    next = { kind: 'FINAL', status: 'FAILED' };
    logger.error('call could not be settled; its line is released and the contact ends FAILED', {
      campaignId: ref.campaignId,
      date: ref.date,
      phone: maskPhone(ref.phone),
      attempt: ref.attempt,
      reason: failureReason,
    });
  }

  const released = await ports.leases.finish({
    ref,
    line,
    logIndex,
    // The call is in the person's ledger (frequency caps): its end goes there too.
    counted: contact.attemptLog[logIndex]?.counted === true,
    outcome,
    next,
    endedAt,
    ...(talkSeconds !== undefined && { talkSeconds }),
    ...(lineSeconds !== undefined && { lineSeconds }),
    ...(failureReason !== undefined && { failureReason }),
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
    decision: next.kind === 'RETRY' ? `retry at ${next.at.toISOString()}` : next.status,
    released,
  });
  if (!released) return { settled: false, reason: 'ALREADY_SETTLED' };
  if (failureReason !== undefined) {
    await ports.alerts
      ?.publish(settlementFailedAlert({ ...ref, reason: failureReason, now: ports.clock.now() }), ports.clock.now())
      .catch((error: unknown) => logger.error('alert not sent', { error }));
  }
  publishMetrics(
    { campaignId: ref.campaignId, outcome },
    { Outcome: 1, ...(talkSeconds !== undefined && { TalkSeconds: talkSeconds }) },
    { TalkSeconds: MetricUnit.Seconds },
  );
  if (campaign !== undefined && ports.followUps !== undefined) {
    await ports.followUps.afterAttempt(campaign, contact, outcome);
  }
  return { settled: true, outcome, decision: next.kind };
}

export interface EndCallPorts extends SettlePorts {
  calls: CallMap;
  dialer: CallLookUp;
}

/**
 * A call ended (its contact event): find its attempt and settle it. The attempt is found from the call map, or,
 * for a call the engine has no record of yet (the dispatcher stopped between Connect placing the call and the
 * record), from the contact's own attributes, read back from Connect. A contact this engine did not place
 * (another application, or another stage, on a shared instance) is ignored.
 */
export async function endCall(
  ports: EndCallPorts,
  connectContactId: string,
  signals: CallEndSignals,
): Promise<SettleResult | { settled: false; reason: 'NOT_OURS' }> {
  let ref = await ports.calls.find(connectContactId);
  if (ref === undefined) {
    const placed = await ports.dialer.lookUp(connectContactId);
    if (placed === undefined) return { settled: false, reason: 'NOT_OURS' };
    ref = placed.ref;
    await ports.calls.record(ref, connectContactId);
    logger.warn('call ended before it was recorded; resolved from its attributes', {
      campaignId: ref.campaignId,
      phone: maskPhone(ref.phone),
      attempt: ref.attempt,
    });
  }
  return settleAttempt(ports, ref, signals);
}

/**
 * The attempt's outcome: Connect's signals and this attempt's flow record (an earlier attempt's answers say
 * nothing about this call). With no signal from Connect, the flow's record alone decides (UNKNOWN without one).
 */
function outcomeOf(
  campaign: Campaign,
  contact: ContactRecord,
  ref: AttemptRef,
  signals: CallEndSignals,
): AttemptOutcome {
  const flow =
    contact.flow && (contact.flow.attempt ?? ref.attempt) === ref.attempt
      ? {
          questionsAnswered: contact.flow.questionsAnswered,
          questionsTotal: campaign.script.questions.length,
          completed: contact.flow.completed,
          optedOut: contact.flow.optedOut,
          transferred: contact.flow.transferred === true,
        }
      : undefined;
  if (signals.unknown) return classifyOutcome({ flow });
  return classifyOutcome({
    disconnectReason: signals.disconnectReason,
    answeringMachineDetectionStatus: signals.answeringMachineDetectionStatus,
    connectedToSystemTimestamp: signals.connectedToSystemTimestamp,
    flow,
  });
}
