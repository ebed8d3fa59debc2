/**
 * Scheduled every minute: the live finish estimate of every running run (functions/use-cases/planning/
 * estimate-finish.ts), stored for the run status, and the early alert when a run will not finish in today's calling
 * window at its pace, while there is still time to act (one per run and hour). A run that cannot be estimated is
 * logged and skipped; the next minute tries again.
 */
import middy from '@middy/core';
import { AlertPublisher } from '../../adapters/alerts.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore, cachedCampaign } from '../../adapters/campaign-store.ts';
import { inMemorySimulation } from '../../adapters/in-memory/simulation.ts';
import { RecentRunSamples } from '../../adapters/recent-samples.ts';
import { RunCounters } from '../../adapters/run-counters.ts';
import { RunEstimates } from '../../adapters/run-estimates.ts';
import { runLateAlert } from '../../core/alerts/run-alerts.ts';
import { environment, PACING_CAPS } from '../../lib/config.ts';
import { logger } from '../../lib/logger.ts';
import { estimateFinish } from '../../use-cases/planning/estimate-finish.ts';
import { DEFAULT_TICK_GAP_MS } from '../../use-cases/planning/plan-inputs.ts';

const settings = environment(['TABLE_NAME', 'ALERTS_TOPIC_ARN', 'RETENTION_DAYS', ...PACING_CAPS, 'TICK_SECONDS']);
const estimates = new RunEstimates(settings.TABLE_NAME, settings.RETENTION_DAYS, documentClient);
const counters = new RunCounters(settings.TABLE_NAME, documentClient);
const samples = new RecentRunSamples(settings.TABLE_NAME, documentClient);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const alerts = new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN);

/** Minute samples read: the estimate measures the pace over the last five minutes. */
const SAMPLES = 6;

async function estimateRun(campaignId: string, date: string, now: Date): Promise<'LATE' | 'ON_TIME' | 'SKIPPED'> {
  const [run, stored, totals, nextDueAt, recent] = await Promise.all([
    estimates.runOf(campaignId, date),
    cachedCampaign(campaigns, campaignId),
    counters.totals(campaignId, date),
    estimates.earliestDue(campaignId, date),
    samples.recent(campaignId, date, SAMPLES),
  ]);
  if (run?.status !== 'RUNNING' || stored === undefined) return 'SKIPPED';
  const estimate = await estimateFinish(inMemorySimulation, {
    campaign: stored.campaign,
    date,
    now,
    counters: totals,
    ...(run.startedAt !== undefined && run.startedAt !== '' && { startedAt: run.startedAt }),
    ...(nextDueAt !== undefined && { nextDueAt }),
    samples: recent,
    caps: {
      lines: settings.MAX_CONCURRENT_CALLS,
      dialsPerSecond: settings.DIALS_PER_SECOND,
      dialBurst: settings.DIAL_BURST,
      tickSeconds: settings.TICK_SECONDS,
      flowFunctionConcurrency: settings.FLOW_FUNCTION_CONCURRENCY,
    },
    tickGapMs: DEFAULT_TICK_GAP_MS,
  });
  if (estimate === undefined) return 'SKIPPED';
  await estimates.save(campaignId, date, estimate);
  logger.info('finish estimated', { campaignId, date, estimate });
  if (!estimate.late || Date.parse(estimate.windowClosesAt) <= now.getTime()) return 'ON_TIME';
  await alerts
    .publish(
      runLateAlert({
        campaignId,
        date,
        waiting: estimate.waitingAtWindowClose,
        windowClosesAt: new Date(estimate.windowClosesAt),
        timeZone: stored.campaign.timeZone,
        finishAt: new Date(estimate.finishAt),
        ...(estimate.raise !== undefined && { raise: estimate.raise }),
        now,
      }),
      now,
    )
    .catch((error: unknown) => logger.error('alert not sent', { error }));
  return 'LATE';
}

export const handler = middy().handler(async () => {
  const now = new Date();
  const outcome = { runs: 0, late: 0, skipped: 0, failed: 0 };
  for (const { campaignId, date } of await estimates.activeRunKeys()) {
    outcome.runs++;
    try {
      const result = await estimateRun(campaignId, date, now);
      if (result === 'LATE') outcome.late++;
      if (result === 'SKIPPED') outcome.skipped++;
    } catch (error) {
      outcome.failed++;
      logger.error('run not estimated', { campaignId, date, error });
    }
  }
  logger.info('estimates', outcome);
  return outcome;
});
