/**
 * The backfill worker, invoked asynchronously by `POST /analytics/backfill` for one ended run: adds the facts the
 * run's partition is missing (functions/use-cases/analytics/backfill-run.ts). Running it twice adds nothing.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AnalyticsRuns } from '../../adapters/analytics-runs.ts';
import { CampaignStore, cachedCampaign } from '../../adapters/campaign-store.ts';
import { DimensionRegistry } from '../../adapters/dimension-registry.ts';
import { FactFiles } from '../../adapters/fact-files.ts';
import { newContactKey } from '../../core/analytics/facts.ts';
import { BackfillEnvironmentSchema, parseSettings } from '../../lib/analytics-config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { backfillRun } from '../../use-cases/analytics/backfill-run.ts';

const settings = parseSettings(BackfillEnvironmentSchema);
const campaignStore = new CampaignStore(settings.TABLE_NAME);
const ports = {
  runs: new AnalyticsRuns(settings.TABLE_NAME),
  campaigns: {
    async analyticsOf(campaignId: string) {
      const stored = await cachedCampaign(campaignStore, campaignId);
      return stored && { callerId: stored.campaign.callerId, dimensions: stored.campaign.analytics.dimensions };
    },
  },
  dimensions: new DimensionRegistry(settings.TABLE_NAME),
  files: new FactFiles(settings.REPORTS_BUCKET),
  now: () => Date.now(),
  newFileId: () => randomBytes(6).toString('hex'),
  newContactKey,
};

export const BackfillRunSchema = z.object({
  campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  date: z.iso.date(),
});

export const handler = lambdaHandler(async (event: unknown) => {
  const { campaignId, date } = BackfillRunSchema.parse(event);
  const added = await backfillRun(ports, campaignId, date);
  logger.info('run backfilled', { campaignId, date, added });
  return { campaignId, date, added };
});
