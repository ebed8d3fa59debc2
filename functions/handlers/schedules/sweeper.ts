/**
 * Scheduled sweeper: finds lines held longer than any call can last (their end was never
 * reported: a lost contact event, a crash between claim and dial) and settles them.
 * A call Connect knows the end of is settled from DescribeContact, as its event would have;
 * otherwise the attempt ends UNKNOWN and the retry policy decides. Many leaks at once alert.
 */
import { DescribeContactCommand } from '@aws-sdk/client-connect';
import middy from '@middy/core';
import { AlertPublisher } from '../../adapters/alerts.ts';
import { connectClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { RunStore } from '../../adapters/run-store.ts';
import { leakedLeasesAlert, runOverdueAlert } from '../../core/alerts/run-alerts.ts';
import { runEndsAt } from '../../core/run-clock.ts';
import { environment } from '../../lib/config.ts';
import { logger } from '../../lib/logger.ts';
import { settleAttempt } from '../../use-cases/dialing/settle-attempt.ts';
import { createFollowUpSender } from '../../use-cases/follow-ups/follow-up-sender.ts';

const settings = environment([
  'TABLE_NAME',
  'ALERTS_TOPIC_ARN',
  'CONNECT_INSTANCE_ARN',
  'MAX_CALL_SECONDS',
  'RETENTION_DAYS',
]);
const stores = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  runs: new RunStore(settings.TABLE_NAME),
  followUps: createFollowUpSender(settings),
};
const alerts = new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN);
const instanceId = settings.CONNECT_INSTANCE_ARN.split('/').at(-1) ?? '';

/** Time after a run's date has ended everywhere for its last calls to end and Finalize to run. */
const OVERDUE_GRACE_MS = (settings.MAX_CALL_SECONDS + 300) * 1000;

/** Alerts (once per 6 hours each) on active runs still going after their date is over everywhere. */
async function alertOverdueRuns(now: Date): Promise<number> {
  let overdue = 0;
  for (const active of await stores.runs.activeRuns()) {
    if (runEndsAt(active.date).getTime() + OVERDUE_GRACE_MS > now.getTime()) continue;
    const run = await stores.runs.getRun(active.campaignId, active.date);
    if (run === undefined || run.status === 'FINISHED' || run.status === 'FAILED') continue;
    overdue++;
    await alerts
      .publish(
        runOverdueAlert({
          ...active,
          status: run.status,
          lastTickAt: run.lastTickAt,
          dateEndedAt: runEndsAt(active.date),
          now,
        }),
        now,
      )
      .catch((error: unknown) => logger.error('alert not sent', { error }));
  }
  return overdue;
}

export const handler = middy().handler(async () => {
  const now = new Date();
  const stale = await stores.runs.staleLeases(now);
  let reconciled = 0;
  const unknown: typeof stale = [];
  for (const lease of stale) {
    let signals: Parameters<typeof settleAttempt>[2] = { forcedOutcome: 'UNKNOWN' };
    if (lease.connectContactId !== undefined) {
      try {
        const { Contact } = await connectClient.send(
          new DescribeContactCommand({ InstanceId: instanceId, ContactId: lease.connectContactId }),
        );
        if (Contact?.DisconnectTimestamp !== undefined) {
          signals = {
            disconnectReason: Contact.DisconnectReason,
            answeringMachineDetectionStatus: Contact.AnsweringMachineDetectionStatus,
            connectedToSystemTimestamp: Contact.ConnectedToSystemTimestamp?.toISOString(),
            disconnectTimestamp: Contact.DisconnectTimestamp.toISOString(),
          };
        }
      } catch (error) {
        logger.warn('DescribeContact failed; settling as UNKNOWN', { error });
      }
    }
    const result = await settleAttempt(stores, lease, signals);
    if (result.settled) {
      if (signals.forcedOutcome === 'UNKNOWN') unknown.push(lease);
      else reconciled++;
    }
  }
  const leaked = leakedLeasesAlert({ leases: unknown, maxCallSeconds: settings.MAX_CALL_SECONDS, now });
  if (leaked !== undefined) {
    await alerts.publish(leaked, now).catch((error: unknown) => logger.error('alert not sent', { error }));
  }
  const overdue = await alertOverdueRuns(now);
  logger.info('sweep', { stale: stale.length, reconciled, unknown: unknown.length, overdue });
  return { stale: stale.length, reconciled, unknown: unknown.length };
});
