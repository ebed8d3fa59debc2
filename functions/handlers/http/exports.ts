/**
 * Per-contact export API:
 * - GET /campaigns/{campaignId}/reports/{date}/contacts.csv|contacts.xlsx[?answer=q1:2][&wait=20]: starts an export
 *   job (streamed to the reports bucket by the export worker) and waits up to `wait` seconds for it: 200 with a
 *   presigned download link when it is done, 202 with where to ask again when it is still running;
 * - GET /campaigns/{campaignId}/reports/{date}/exports/{exportId}: the job's state, with the link once done.
 */
import { z } from 'zod';
import { ExportJobStore } from '../../adapters/export-jobs.ts';
import { FunctionInvoker } from '../../adapters/function-invoker.ts';
import { ReportStore } from '../../adapters/report-store.ts';
import { ReportsBucket } from '../../adapters/reports-bucket.ts';
import { parseAnswerFilter } from '../../core/report/contact-rows.ts';
import { environment } from '../../lib/config.ts';
import { badRequest, HttpError, httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { logger } from '../../lib/logger.ts';
import { exportView, requestExport, waitForExport } from '../../use-cases/reports/export-job.ts';

const settings = environment([
  'TABLE_NAME',
  'REPORTS_BUCKET',
  'EXPORT_FUNCTION_NAME',
  'RETENTION_DAYS',
  'EXPORT_LINK_SECONDS',
]);
const store = new ReportStore(settings.TABLE_NAME);
const bucket = new ReportsBucket(settings.REPORTS_BUCKET);
const jobs = new ExportJobStore(settings.TABLE_NAME, settings.RETENTION_DAYS);
const invoker = new FunctionInvoker();

/** Longest an export request waits for its job: the API's own limit is 30 s. */
export const MAX_WAIT_SECONDS = 25;

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });
const ExportPathSchema = RunPathSchema.extend({ file: z.enum(['contacts.csv', 'contacts.xlsx']) });
const JobPathSchema = RunPathSchema.extend({ exportId: z.string().regex(/^[0-9a-z-]{1,64}$/, 'not an export id') });
const ExportQuerySchema = z.object({
  answer: z.string().max(200).optional(),
  wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(20),
});

const statusPath = (campaignId: string, date: string, exportId: string) =>
  `/campaigns/${campaignId}/reports/${date}/exports/${exportId}`;

export const contacts = httpHandler(async (event) => {
  const { campaignId, date, file } = parseRequest(ExportPathSchema, event.pathParameters, 'path');
  const { answer, wait } = parseRequest(ExportQuerySchema, event.queryStringParameters ?? {}, 'query');
  const filters = answer === undefined ? [] : parseAnswerFilter(answer);
  if (filters === undefined)
    throw badRequest('invalid answer filter', [
      { path: 'query.answer', message: 'expected <questionId>:<key>, e.g. q1:2' },
    ]);
  if ((await store.runCounters(campaignId, date)) === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
  const requested = await requestExport(
    { jobs, invoke: (payload) => invoker.invokeAsync(settings.EXPORT_FUNCTION_NAME, payload) },
    { campaignId, date, format: file === 'contacts.csv' ? 'csv' : 'xlsx', filters },
  );
  const job = (await waitForExport(jobs, requested, wait * 1000)) ?? requested;
  logger.info('export requested', { campaignId, date, exportId: job.exportId, status: job.status, rows: job.rows });
  if (job.status === 'FAILED')
    throw new HttpError(500, 'EXPORT_FAILED', `the export failed: ${job.error ?? 'unknown'}`);
  const view = await exportView(bucket, job, settings.EXPORT_LINK_SECONDS);
  if (job.status === 'DONE') return json(200, view);
  const statusUrl = statusPath(campaignId, date, job.exportId);
  return json(202, { ...view, statusUrl }, { location: statusUrl });
});

export const status = httpHandler(async (event) => {
  const { campaignId, date, exportId } = parseRequest(JobPathSchema, event.pathParameters, 'path');
  const job = await jobs.get(campaignId, date, exportId);
  if (job === undefined) throw notFound(`no export ${exportId} of ${campaignId} for ${date}`);
  return json(200, await exportView(bucket, job, settings.EXPORT_LINK_SECONDS));
});
