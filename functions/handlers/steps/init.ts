/**
 * First state of a run execution: checks the campaign exists and opens the run at this
 * execution's generation.
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { runStoreFor } from '../../adapters/run-store.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';

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

export const handler = lambdaHandler(async (event: unknown) => {
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
  logger.info('run opened', { campaignId: input.campaignId, date: input.date, generation: input.generation });
  return { tick: 0, campaignVersion: stored.version };
});
