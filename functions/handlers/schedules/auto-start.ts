/**
 * Scheduled: starts today's run of every campaign with `run.autoStart` once its calling window is
 * open in the campaign's time zone. Starting is idempotent (one execution name per run and
 * generation), so a schedule firing twice starts nothing twice.
 */
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { StepFunctionsRunExecutions } from '../../adapters/run-executions.ts';
import { runStoreFor } from '../../adapters/run-store.ts';
import { isWithinWindow, localDate } from '../../core/policy/calling-window.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { startExecution } from '../../use-cases/dialing/start-run.ts';

const settings = environment(['TABLE_NAME', 'RUN_STATE_MACHINE_ARN']);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = runStoreFor(settings.TABLE_NAME);
const executions = new StepFunctionsRunExecutions(settings.RUN_STATE_MACHINE_ARN);

export const handler = lambdaHandler(async () => {
  const now = new Date();
  const started: string[] = [];
  for (const { campaign } of await campaigns.list()) {
    if (!campaign.run.autoStart || !isWithinWindow(campaign.callingWindow, campaign.timeZone, now)) continue;
    const date = localDate(campaign.timeZone, now);
    const existing = await runs.getRun(campaign.id, date);
    // Only a run nobody started yet: a finished or stopped run is not restarted behind the operator's back.
    if (existing?.status !== undefined) continue;
    const result = await startExecution(executions, campaign.id, date, 0);
    if (result.started) started.push(`${campaign.id}/${date}`);
  }
  logger.info('auto-start', { started });
  return { started };
});
