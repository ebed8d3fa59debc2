/**
 * The state machine's Dispatch step: one pacing tick of a run (functions/use-cases/dialing/dispatch-tick.ts),
 * then the run's history sample, metrics and alerts. Errors that retrying can fix (DynamoDB or Connect staying
 * busy) leave as `TransientError`, which the state machine retries; a run that lost its campaign fails.
 */
import { z } from 'zod';
import { RunHistory } from '../../adapters/run-history.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { dialErrorsAlert, throttlingAlert } from '../../core/alerts/run-alerts.ts';
import { environment } from '../../lib/config.ts';
import { contactPolicyOf } from '../../lib/contact-policy.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { publishMetrics } from '../../lib/metrics.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun, countForInvocation } from '../../lib/usage-meter.ts';
import { DispatcherError, dispatchTick, type TickReport } from '../../use-cases/dialing/dispatch-tick.ts';
import { callStarter, STARTER_SETTINGS, STORE_SETTINGS, storePorts } from '../dialing-ports.ts';

const settings = environment([
  ...STORE_SETTINGS,
  ...STARTER_SETTINGS,
  'TICK_SECONDS',
  'MAX_CALL_SECONDS',
  'RUN_MAX_SLEEP_SECONDS',
]);
const ports = { ...storePorts(settings), dialer: callStarter(settings) };
const history = new RunHistory(settings.TABLE_NAME, settings.RETENTION_DAYS);
const contactPolicy = contactPolicyOf(settings.STAGE);

export const DispatchInputSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  tick: z.number().int().min(0),
  generation: z.number().int().min(0),
});

/** Repeating dial errors and sustained throttling reach the operator (deduplicated); a failed alert never fails the tick. */
async function raiseTickAlerts(campaignId: string, date: string, report: TickReport): Promise<void> {
  const after = report.after;
  if (after === undefined) return;
  const now = ports.clock.now();
  const tickSeconds = settings.TICK_SECONDS;
  const raised = [
    report.errors > 0
      ? dialErrorsAlert({
          campaignId,
          date,
          ticks: after.consecutiveDialErrors + 1,
          tickSeconds,
          lastError: report.lastError,
          now,
        })
      : undefined,
    report.throttles > 0
      ? throttlingAlert({
          campaignId,
          date,
          ticks: after.consecutiveThrottledTicks + 1,
          tickSeconds,
          dialRate: report.dialRate,
          now,
        })
      : undefined,
  ];
  for (const alert of raised) {
    if (alert === undefined) continue;
    await ports.alerts.publish(alert, now).catch((error: unknown) => logger.error('alert not sent', { error }));
  }
}

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (event: unknown) => {
    const input = DispatchInputSchema.parse(event);
    const { campaignId, date } = input;
    const stored = await ports.campaigns.get(campaignId);
    if (stored === undefined) throw new DispatcherError(`campaign "${campaignId}" no longer exists`);
    const report = await dispatchTick(
      ports,
      {
        maxConcurrentCalls: settings.MAX_CONCURRENT_CALLS,
        dialsPerSecond: settings.DIALS_PER_SECOND,
        dialBurst: settings.DIAL_BURST,
        tickSeconds: settings.TICK_SECONDS,
        leaseSeconds: settings.MAX_CALL_SECONDS,
        maxSleepSeconds: settings.RUN_MAX_SLEEP_SECONDS,
        contactPolicy,
      },
      stored.campaign,
      input,
    );
    const after = report.after;
    if (after !== undefined) {
      // The charts' history: a sample lost to an error costs one point of a chart, never the tick.
      await history
        .recordSample(campaignId, date, {
          at: ports.clock.now().toISOString(),
          inFlight: after.inFlight,
          dialRate: report.dialRate,
          attemptsStarted: after.counters.attemptsStarted ?? 0,
        })
        .catch((error: unknown) => logger.warn('history sample not recorded', { error }));
      publishMetrics(
        { campaignId },
        {
          Dials: report.started,
          Throttles: report.throttles,
          DialErrors: report.errors,
          ContendedClaims: report.busy,
          CapHolds: report.capHolds,
          CallerPoolWaits: report.poolWaits,
          CallsInFlight: after.inFlight,
          DialRate: report.dialRate,
        },
      );
      await raiseTickAlerts(campaignId, date, report);
    }
    logger.info('tick', {
      campaignId,
      date,
      tick: input.tick,
      started: report.started,
      throttles: report.throttles,
      errors: report.errors,
      busy: report.busy,
      capHolds: report.capHolds,
      poolWaits: report.poolWaits,
      unusedTokens: report.unusedTokens,
      repeated: report.repeated,
      inFlight: after?.inFlight,
      waiting: report.waiting,
      next: report.next,
    });
    // Step Functions bills every state an execution enters: this Dispatch, NextStep, and the state the action leads
    // to (WaitForTick, WaitForWindow, ContinueAsNew or Superseded); Finalize counts itself.
    countForInvocation({ stateTransitions: report.next.action === 'FINALIZE' ? 2 : 3 });
    attributeToRun(campaignId, date);
    return { tick: input.tick + 1, started: report.started, throttles: report.throttles, ...report.next };
  },
  { runUsage },
);
