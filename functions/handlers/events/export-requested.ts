/**
 * The export worker, invoked asynchronously by the export API (`GET …/contacts.csv|xlsx`): streams the run's
 * per-contact export to the reports bucket and records the result on its job item. Lambda does not retry it
 * (`maximumRetryAttempts: 0`): a failure is recorded on the job, where whoever asked reads it, and logged as an
 * error with an `ExportFailures` metric. Only a failure to record it (or the time limit) fails the invocation.
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ExportJobStore } from '../../adapters/export-jobs.ts';
import { ReportStore } from '../../adapters/report-store.ts';
import { ReportsBucket } from '../../adapters/reports-bucket.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { publishMetrics } from '../../lib/metrics.ts';
import { runExportJob } from '../../use-cases/reports/export-job.ts';

const settings = environment(['TABLE_NAME', 'REPORTS_BUCKET', 'RETENTION_DAYS']);
const ports = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  store: new ReportStore(settings.TABLE_NAME),
  bucket: new ReportsBucket(settings.REPORTS_BUCKET),
  jobs: new ExportJobStore(settings.TABLE_NAME, settings.RETENTION_DAYS),
};

export const ExportRequestedSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  exportId: z.string().regex(/^[0-9a-z-]{1,64}$/),
});

export const handler = lambdaHandler(async (event: unknown) => {
  const ref = ExportRequestedSchema.parse(event);
  const startedAt = Date.now();
  const result = await runExportJob(ports, ref);
  const seconds = (Date.now() - startedAt) / 1000;
  if (result.outcome === 'FAILED') {
    logger.error('export failed', { ...ref, seconds, error: result.error });
    publishMetrics({ campaignId: ref.campaignId }, { ExportFailures: 1 });
  } else {
    logger.info('export job', { ...ref, seconds, outcome: result.outcome, rows: 'rows' in result ? result.rows : 0 });
  }
  return { outcome: result.outcome };
});
