/**
 * Last state of a run: contacts still waiting become EXPIRED (or stay waiting to carry over,
 * per `run.leftovers`), the run is closed, and the summary for the SNS announcement is built.
 */
import { z } from 'zod';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { DynamoDbContacts } from '../../adapters/contacts.ts';
import { runStoreFor } from '../../adapters/run-store.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun, countForInvocation } from '../../lib/usage-meter.ts';

const settings = environment(['TABLE_NAME']);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = runStoreFor(settings.TABLE_NAME);
const contacts = new DynamoDbContacts(settings.TABLE_NAME, documentClient);

const FinalizeInputSchema = z.object({ campaignId: z.string().min(1), date: z.iso.date() });

/** The SNS summary's line on contacts the run did not finish (the `EXPIRED` status also counts those out of attempts). */
function waitingAtEnd(leftovers: string, expired: number): string {
  if (leftovers !== 'EXPIRE') return 'carried over to the next run';
  return expired === 0 ? 'none' : `${expired}, closed as EXPIRED`;
}

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (event: unknown) => {
    const { campaignId, date } = FinalizeInputSchema.parse(event);
    // The execution's Finalize state.
    countForInvocation({ stateTransitions: 1 });
    attributeToRun(campaignId, date, { flushAtEnd: true });
    const stored = await campaigns.get(campaignId);
    const leftovers = stored?.campaign.run.leftovers ?? 'EXPIRE';
    let expired = 0;
    if (leftovers === 'EXPIRE') {
      const farFuture = new Date('9999-12-31T00:00:00Z');
      for (;;) {
        const waiting = await contacts.due(campaignId, date, farFuture, 500);
        if (waiting.length === 0) break;
        for (const { phone, attempts } of waiting) {
          if (await contacts.closeWaiting(campaignId, date, phone, 'EXPIRED', attempts)) expired++;
        }
      }
    }
    await runs.closeRun(campaignId, date, 'FINISHED');
    const run = await runs.getRun(campaignId, date);
    const counters = run?.counters ?? {};
    const byStatus = Object.entries(counters)
      .filter(([name, value]) => name.startsWith('n_') && value > 0)
      .map(([name, value]) => `${name.slice(2)} ${value}`)
      .join(', ');
    const byOutcome = Object.entries(counters)
      .filter(([name, value]) => name.startsWith('o_') && value > 0)
      .map(([name, value]) => `${name.slice(2)} ${value}`)
      .join(', ');
    logger.info('run finalized', { campaignId, date, expired, leftovers });
    return {
      subject: `Campaign ${campaignId} run ${date} finished`,
      message:
        `Campaign "${stored?.campaign.name ?? campaignId}" (${campaignId}) finished its run for ${date}.\n` +
        `Contacts by status: ${byStatus || 'none'}.\nAttempt outcomes: ${byOutcome || 'none'}.\n` +
        `Still waiting when the run ended: ${waitingAtEnd(leftovers, expired)}.\n` +
        `Details: GET /campaigns/${campaignId}/runs/${date}`,
      expired,
    };
  },
  { runUsage },
);
