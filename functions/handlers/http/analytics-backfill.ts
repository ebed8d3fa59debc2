/**
 * `POST /analytics/backfill` `{ from, to, campaign? }`: hands each ended run of the range (every campaign, or one) to
 * the backfill worker and answers 202 with the runs queued and those skipped, with why. A run is backfilled once it
 * has ended and the stream can no longer deliver its changes (the settle time): before that its facts come from the
 * stream.
 */
import { z } from 'zod';
import { AnalyticsRuns } from '../../adapters/analytics-runs.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { FunctionInvoker } from '../../adapters/function-invoker.ts';
import { reportDates } from '../../core/report/summary.ts';
import { BackfillRequestEnvironmentSchema, parseSettings } from '../../lib/analytics-config.ts';
import { badRequest, httpHandler, json, jsonBody, notFound, parseRequest } from '../../lib/http.ts';

const settings = parseSettings(BackfillRequestEnvironmentSchema);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = new AnalyticsRuns(settings.TABLE_NAME);
const invoker = new FunctionInvoker();

export const BackfillRequestSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  campaign: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
});

const ENDED = new Set(['FINISHED', 'FAILED']);

export const backfill = httpHandler(async (event) => {
  const request = parseRequest(BackfillRequestSchema, jsonBody(event), 'body');
  const dates = reportDates(request.from, request.to);
  if ('problem' in dates) throw badRequest(`invalid range: ${dates.problem.message}`, [dates.problem]);
  let campaignIds: string[];
  if (request.campaign !== undefined) {
    if ((await campaigns.get(request.campaign)) === undefined) throw notFound(`no campaign ${request.campaign}`);
    campaignIds = [request.campaign];
  } else {
    campaignIds = (await campaigns.list()).map((stored) => stored.campaign.id);
  }
  const queued: Array<{ campaignId: string; date: string }> = [];
  const skipped: Array<{ campaignId: string; date: string; reason: string }> = [];
  const settledBefore = Date.now() - settings.ANALYTICS_SETTLE_SECONDS * 1000;
  for (const campaignId of campaignIds) {
    for (const date of dates.dates) {
      const run = await runs.status(campaignId, date);
      if (run === undefined) continue;
      if (!ENDED.has(run.status)) {
        skipped.push({ campaignId, date, reason: `the run is ${run.status}: its facts come from the stream` });
      } else if (run.finishedAt !== undefined && Date.parse(run.finishedAt) > settledBefore) {
        skipped.push({
          campaignId,
          date,
          reason: `the run ended less than ${Math.ceil(settings.ANALYTICS_SETTLE_SECONDS / 60)} minutes ago: try again later`,
        });
      } else {
        await invoker.invokeAsync(settings.BACKFILL_FUNCTION_NAME, { campaignId, date });
        queued.push({ campaignId, date });
      }
    }
  }
  return json(202, { queued, skipped });
});
