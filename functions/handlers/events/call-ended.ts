/**
 * Amazon Connect contact events (EventBridge): when an outbound attempt ends, classify its outcome,
 * release its line exactly once and apply the campaign's retry policy.
 *
 * Events are best effort: late, duplicated, out of order, or before the dispatcher recorded the
 * ContactId. Duplicates and late events find the lease gone and change nothing; an event that
 * arrives before its ContactId is known fails, so the asynchronous invocation is retried (and, if
 * that never succeeds, the sweeper reconciles the line from DescribeContact).
 */
import middy from '@middy/core';
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { RunStore } from '../../adapters/run-store.ts';
import { environment } from '../../lib/config.ts';
import { settleAttempt } from '../../use-cases/dialing/settle-attempt.ts';
import { createFollowUpSender } from '../../use-cases/follow-ups/follow-up-sender.ts';

const settings = environment(['TABLE_NAME', 'RETENTION_DAYS', 'ALERTS_TOPIC_ARN']);
const stores = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  runs: new RunStore(settings.TABLE_NAME),
  followUps: createFollowUpSender(settings),
};

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

/** The attempt is not known yet (the dispatcher has not recorded its ContactId); retried by Lambda. */
export class AttemptNotYetRecordedError extends Error {
  constructor(contactId: string) {
    super(`no attempt recorded for Connect contact ${contactId} yet`);
    this.name = 'AttemptNotYetRecordedError';
  }
}

export const handler = middy().handler(async (event: unknown) => {
  const { detail } = ContactEventSchema.parse(event);
  if (detail.eventType !== 'DISCONNECTED') return { ignored: detail.eventType };
  const ref = await stores.runs.findCall(detail.contactId);
  if (ref === undefined) throw new AttemptNotYetRecordedError(detail.contactId);
  return settleAttempt(stores, ref, detail);
});
