/**
 * Run-end report job (state machine step after Finalize): writes the run's summary (JSON) and its
 * per-contact export (CSV) to the reports bucket and returns the SNS announcement with download links.
 */
import middy from '@middy/core';
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ReportStore } from '../../adapters/report-store.ts';
import { ReportsBucket } from '../../adapters/reports-bucket.ts';
import { environment } from '../../lib/config.ts';
import { logger } from '../../lib/logger.ts';
import { exportWithLink, runReport } from '../../use-cases/reports/run-report.ts';

const settings = environment(['TABLE_NAME', 'REPORTS_BUCKET']);
const ports = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  store: new ReportStore(settings.TABLE_NAME),
  bucket: new ReportsBucket(settings.REPORTS_BUCKET),
};
/** Links in the announcement stay valid this long (SigV4 presigned URLs allow at most 7 days). */
const LINK_SECONDS = 7 * 86_400;

export const ReportInputSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  summary: z.object({ subject: z.string(), message: z.string() }),
});

export const handler = middy().handler(async (event: unknown) => {
  const { campaignId, date, summary } = ReportInputSchema.parse(event);
  const report = await runReport(ports, campaignId, date);
  if (report === undefined) throw new Error(`no run of ${campaignId} for ${date}`);
  const summaryKey = `reports/${campaignId}/${date}/summary.json`;
  await ports.bucket.putJson(summaryKey, report);
  const summaryUrl = await ports.bucket.downloadUrl(summaryKey, `${campaignId}-${date}-summary.json`, LINK_SECONDS);
  const csv = await exportWithLink(ports, campaignId, date, 'csv', []);
  const exportUrl = await ports.bucket.downloadUrl(csv.key, `${campaignId}-${date}-contacts.csv`, LINK_SECONDS);
  logger.info('run report written', { campaignId, date, rows: csv.rows, bytes: csv.bytes });
  return {
    subject: summary.subject,
    message:
      `${summary.message}\n` +
      `Reach rate ${(report.reachRate * 100).toFixed(1)} %, completion rate ${(report.completionRate * 100).toFixed(1)} %, ` +
      `mean call ${report.meanCallSeconds} s, opt-outs ${report.optOuts}, follow-ups sent ${report.followUps.sent} / failed ${report.followUps.failed}.\n` +
      `Summary (JSON, link valid 7 days): ${summaryUrl}\n` +
      `Contacts (CSV, ${csv.rows} rows, link valid 7 days): ${exportUrl}`,
    summaryKey,
    exportKey: csv.key,
    summaryUrl,
    exportUrl,
  };
});
