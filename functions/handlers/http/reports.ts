/**
 * Reports API:
 * - GET /campaigns/{campaignId}/reports/{date}: the run's summary, from counters (cost flat in list size);
 * - GET /campaigns/{campaignId}/reports?from=&to=: the same over a range of at most 92 days.
 * The per-contact export is in exports.ts.
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ReportStore } from '../../adapters/report-store.ts';
import { ReportsBucket } from '../../adapters/reports-bucket.ts';
import { reportDates } from '../../core/report/summary.ts';
import { environment } from '../../lib/config.ts';
import { ratesOfStage } from '../../lib/cost-rates.ts';
import { badRequest, httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { rangeReport, runReport } from '../../use-cases/reports/run-report.ts';

const settings = environment(['STAGE', 'AWS_REGION', 'TABLE_NAME', 'REPORTS_BUCKET']);
const ports = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  store: new ReportStore(settings.TABLE_NAME),
  bucket: new ReportsBucket(settings.REPORTS_BUCKET),
  rates: ratesOfStage(settings.STAGE, settings.AWS_REGION),
};

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });
const RangeQuerySchema = z.object({ from: z.iso.date(), to: z.iso.date() });

export const summary = httpHandler(async (event) => {
  const { campaignId, date } = parseRequest(RunPathSchema, event.pathParameters, 'path');
  const report = await runReport(ports, campaignId, date);
  if (report === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
  return json(200, report);
});

export const range = httpHandler(async (event) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  const { from, to } = parseRequest(RangeQuerySchema, event.queryStringParameters ?? {}, 'query');
  const dates = reportDates(from, to);
  if ('problem' in dates) throw badRequest(`invalid range: ${dates.problem.message}`, [dates.problem]);
  return json(200, await rangeReport(ports, campaignId, from, to, dates.dates));
});
