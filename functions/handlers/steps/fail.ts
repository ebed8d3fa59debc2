/**
 * The run state machine's last step after a failure (after the SNS alert): the run is closed as FAILED with the
 * error and its cause, so the status API and the dashboard say so instead of showing a run that stopped ticking.
 */
import { z } from 'zod';
import { runStoreFor } from '../../adapters/run-store.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun, countForInvocation } from '../../lib/usage-meter.ts';

const settings = environment(['TABLE_NAME']);
const runs = runStoreFor(settings.TABLE_NAME);

/** A cause longer than this is cut (a stack trace adds nothing an operator can act on). */
const MAX_CAUSE_LENGTH = 2_000;

const FailInputSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  // A state machine Catch result: { Error, Cause }.
  failure: z
    .object({ Error: z.string().default('Error'), Cause: z.string().default('') })
    .default({ Error: 'Error', Cause: '' }),
});

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (event: unknown) => {
    const { campaignId, date, failure } = FailInputSchema.parse(event);
    const closed = await runs.closeRun(campaignId, date, 'FAILED', {
      error: failure.Error,
      cause: failure.Cause.slice(0, MAX_CAUSE_LENGTH),
    });
    // AlertRunFailed (the state machine publishes to SNS itself), this MarkRunFailed, and RunFailed.
    countForInvocation({ stateTransitions: 3, requests: { 'sns:Publish': 1 } });
    attributeToRun(campaignId, date, { flushAtEnd: true });
    // No run item: the execution failed before Init opened the run (an unknown campaign, say); nothing to close.
    logger.error('run failed', { campaignId, date, error: failure.Error, closed });
    return { status: closed ? 'FAILED' : 'NO_RUN' };
  },
  { runUsage },
);
