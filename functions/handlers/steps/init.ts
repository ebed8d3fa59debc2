/**
 * First state of a run execution: checks the campaign exists and opens the run at this
 * execution's generation.
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
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

export const RunInputSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  generation: z.number().int().min(0),
  executionName: z.string().optional(),
});

export class CampaignNotFoundError extends Error {
  constructor(campaignId: string) {
    super(`campaign "${campaignId}" does not exist`);
    this.name = 'CampaignNotFoundError';
  }
}

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (event: unknown) => {
    const input = RunInputSchema.parse(event);
    const stored = await campaigns.get(input.campaignId);
    if (stored === undefined) throw new CampaignNotFoundError(input.campaignId);
    await runs.openRun({
      campaignId: input.campaignId,
      date: input.date,
      generation: input.generation,
      campaignVersion: stored.version,
      weight: stored.campaign.run.weight,
    });
    // The execution's Init state; once per execution, so its usage is written at once rather than left pending.
    countForInvocation({ stateTransitions: 1 });
    attributeToRun(input.campaignId, input.date, { flushAtEnd: true });
    logger.info('run opened', { campaignId: input.campaignId, date: input.date, generation: input.generation });
    return { tick: 0, campaignVersion: stored.version };
  },
  { runUsage },
);
