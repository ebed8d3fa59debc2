/**
 * Per-contact export API, reading (asking for an export is export-requests.ts):
 * - GET /campaigns/{campaignId}/reports/{date}/exports/{exportId}: the job's state, with the link once done.
 */
import { z } from 'zod';
import { ExportJobStore } from '../../adapters/export-jobs.ts';
import { ReportsBucket } from '../../adapters/reports-bucket.ts';
import { environment } from '../../lib/config.ts';
import { httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { EXPORT_ID, exportView } from '../../use-cases/reports/export-job.ts';

const settings = environment(['TABLE_NAME', 'REPORTS_BUCKET', 'RETENTION_DAYS', 'EXPORT_LINK_SECONDS']);
const bucket = new ReportsBucket(settings.REPORTS_BUCKET);
const jobs = new ExportJobStore(settings.TABLE_NAME, settings.RETENTION_DAYS);

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });
const JobPathSchema = RunPathSchema.extend({
  exportId: z.string().regex(EXPORT_ID, 'not an export id (such as 20261122t091500123z-3fa9c1)'),
});

export const status = httpHandler(async (event) => {
  const { campaignId, date, exportId } = parseRequest(JobPathSchema, event.pathParameters, 'path');
  const job = await jobs.get(campaignId, date, exportId);
  if (job === undefined) throw notFound(`no export ${exportId} of ${campaignId} for ${date}`);
  return json(200, await exportView(bucket, job, settings.EXPORT_LINK_SECONDS));
});
