/**
 * Run-end report job (state machine step after Finalize): writes the run's summary (JSON, counts only) to the
 * reports bucket and returns the SNS announcement. The announcement, and with it the execution's history, carries
 * counts and the API paths to fetch the report and the per-contact export: never a link to personal data. The
 * export is made on request by the API, for a caller it has authorised, with a link that lasts minutes.
 */
import { z } from 'zod';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ReportStore } from '../../adapters/report-store.ts';
import { ReportsBucket } from '../../adapters/reports-bucket.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { costLine } from '../../core/report/run-cost.ts';
import { environment } from '../../lib/config.ts';
import { ratesOfStage } from '../../lib/cost-rates.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun, countForInvocation } from '../../lib/usage-meter.ts';
import { runReport } from '../../use-cases/reports/run-report.ts';

const settings = environment(['STAGE', 'AWS_REGION', 'TABLE_NAME', 'REPORTS_BUCKET']);
const ports = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  store: new ReportStore(settings.TABLE_NAME),
  bucket: new ReportsBucket(settings.REPORTS_BUCKET),
  rates: ratesOfStage(settings.STAGE, settings.AWS_REGION),
};

export const ReportInputSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  summary: z.object({ subject: z.string(), message: z.string() }),
});

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (event: unknown) => {
    const { campaignId, date, summary } = ReportInputSchema.parse(event);
    // This Report state and AnnounceSummary, which publishes the returned message to SNS itself.
    countForInvocation({ stateTransitions: 2, requests: { 'sns:Publish': 1 } });
    attributeToRun(campaignId, date, { flushAtEnd: true });
    const report = await runReport(ports, campaignId, date);
    if (report === undefined) throw new Error(`no run of ${campaignId} for ${date}`);
    const summaryKey = `reports/${campaignId}/${date}/summary.json`;
    await ports.bucket.putJson(summaryKey, report);
    const reportPath = `/campaigns/${campaignId}/reports/${date}`;
    const contactsPath = `${reportPath}/contacts.csv`;
    logger.info('run report written', { campaignId, date, contacts: report.contacts.total });
    return {
      subject: summary.subject,
      message:
        `${summary.message}\n` +
        `Reach rate ${(report.reachRate * 100).toFixed(1)} %, completion rate ${(report.completionRate * 100).toFixed(1)} %, ` +
        `mean call ${report.meanCallSeconds} s, opt-outs ${report.optOuts}, follow-ups sent ${report.followUps.sent} / failed ${report.followUps.failed}.\n` +
        `${costLine(report.cost)}\n` +
        `Report: GET ${reportPath}\n` +
        `Contacts (${report.contacts.total}, with answers): GET ${contactsPath} (or \`campaign report --campaign ${campaignId} --date ${date}\`)`,
      summaryKey,
      reportPath,
      contactsPath,
    };
  },
  { runUsage },
);
