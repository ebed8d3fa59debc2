/**
 * Amazon Connect contact events (EventBridge): when an outbound attempt ends, classify its outcome,
 * release its line exactly once and apply the campaign's retry policy.
 *
 * Events are best effort: late, duplicated, out of order, or before the dispatcher recorded the
 * ContactId. Duplicates and late events find the lease gone and change nothing; an event that
 * arrives before its ContactId is known fails, so EventBridge's asynchronous retry delivers it again.
 */
import middy from '@middy/core';
import { z } from 'zod';
import { CampaignStore, cachedCampaign } from '../adapters/campaign-store.ts';
import { RunStore } from '../adapters/run-store.ts';
import { classifyOutcome } from '../core/policy/outcome.ts';
import { decideNextAttempt } from '../core/policy/retry-policy.ts';
import { runEndsAt } from '../core/run-clock.ts';
import { environment } from '../lib/config.ts';
import { logger, maskPhone } from '../lib/logger.ts';

const settings = environment();
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = new RunStore(settings.TABLE_NAME);

export const ContactEventSchema = z.object({
  'detail-type': z.literal('Amazon Connect Contact Event'),
  source: z.literal('aws.connect'),
  time: z.string(),
  detail: z.object({
    eventType: z.string(),
    contactId: z.string().min(1),
    initiationMethod: z.string().optional(),
    initiationTimestamp: z.string().optional(),
    connectedToSystemTimestamp: z.string().optional(),
    disconnectTimestamp: z.string().optional(),
    disconnectReason: z.string().optional(),
    answeringMachineDetectionStatus: z.string().optional(),
  }),
});
export type ContactEvent = z.infer<typeof ContactEventSchema>;

/** The attempt is not known yet (the dispatcher has not recorded its ContactId); retried by EventBridge. */
export class AttemptNotYetRecordedError extends Error {
  constructor(contactId: string) {
    super(`no attempt recorded for Connect contact ${contactId} yet`);
    this.name = 'AttemptNotYetRecordedError';
  }
}

export const handler = middy().handler(async (event: unknown) => {
  const { detail } = ContactEventSchema.parse(event);
  if (detail.eventType !== 'DISCONNECTED') return { ignored: detail.eventType };
  const ref = await runs.findCall(detail.contactId);
  if (ref === undefined) throw new AttemptNotYetRecordedError(detail.contactId);
  const contact = await runs.getContact(ref.campaignId, ref.date, ref.phone);
  if (contact === undefined || contact.status !== 'DIALING' || contact.attempts !== ref.attempt) {
    return { duplicate: true };
  }
  const stored = await cachedCampaign(campaigns, ref.campaignId);
  if (stored === undefined) throw new Error(`campaign "${ref.campaignId}" no longer exists`);
  const { campaign } = stored;
  const outcome = classifyOutcome({
    disconnectReason: detail.disconnectReason,
    answeringMachineDetectionStatus: detail.answeringMachineDetectionStatus,
    connectedToSystemTimestamp: detail.connectedToSystemTimestamp,
    flow: contact.flow && {
      questionsAnswered: contact.flow.questionsAnswered,
      questionsTotal: campaign.script.questions.length,
      completed: contact.flow.completed,
      optedOut: contact.flow.optedOut,
    },
  });
  const endedAt = detail.disconnectTimestamp ? new Date(detail.disconnectTimestamp) : new Date();
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
    detail.connectedToSystemTimestamp && detail.disconnectTimestamp
      ? Math.max(0, (Date.parse(detail.disconnectTimestamp) - Date.parse(detail.connectedToSystemTimestamp)) / 1000)
      : undefined;
  const released = await runs.finishAttempt({
    ref,
    outcome,
    next: decision.kind === 'RETRY' ? { kind: 'RETRY', at: decision.at } : { kind: 'FINAL', status: decision.status },
    endedAt,
    talkSeconds,
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
  return { outcome, decision: decision.kind, released };
});
