/**
 * Scheduled sweeper (every minute): reconciles the lines whose calls the engine lost track of
 * (functions/use-cases/dialing/reconcile-leases.ts) and alerts on runs still working after their date.
 * Every lease is handled on its own; failures are counted and logged, and fail the invocation only after every
 * lease had its turn, so the errors alarm sees them.
 */

import { RunUsageStore } from '../../adapters/run-usage.ts';
import { runOverdueAlert } from '../../core/alerts/run-alerts.ts';
import { runEndsAt } from '../../core/run-clock.ts';
import { environment } from '../../lib/config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { reconcileLeases } from '../../use-cases/dialing/reconcile-leases.ts';
import {
  callLookUp,
  callStarter,
  followUpSender,
  STARTER_SETTINGS,
  STORE_SETTINGS,
  storePorts,
} from '../dialing-ports.ts';

const settings = environment([...STORE_SETTINGS, ...STARTER_SETTINGS, 'MAX_CALL_SECONDS']);
const connect = callLookUp(settings);
const ports = {
  ...storePorts(settings),
  dialer: callStarter(settings),
  describeEnd: (connectContactId: string) => connect.describeEnd(connectContactId),
  followUps: followUpSender(settings),
};

/** Time after a run's date has ended everywhere for its last calls to end and Finalize to run. */
const OVERDUE_GRACE_MS = (settings.MAX_CALL_SECONDS + 300) * 1000;
/**
 * A lease still without a ContactId after this long is reconciled (the dispatcher writes it within a second of
 * claiming): a minute, or the longest call where that is shorter (the local cloud's test stack).
 */
const UNRECORDED_SECONDS = Math.min(60, settings.MAX_CALL_SECONDS);

export class SweepFailedError extends Error {
  constructor(failed: number, total: number) {
    super(`${failed} of ${total} leases could not be reconciled; the next sweep tries again`);
    this.name = 'SweepFailedError';
  }
}

/** Alerts (once per 6 hours each) on active runs still going after their date is over everywhere. */
async function alertOverdueRuns(now: Date): Promise<number> {
  let overdue = 0;
  for (const active of await ports.runs.activeRuns()) {
    if (runEndsAt(active.date).getTime() + OVERDUE_GRACE_MS > now.getTime()) continue;
    const run = await ports.runs.getRun(active.campaignId, active.date);
    if (run === undefined || run.status === 'FINISHED' || run.status === 'FAILED') continue;
    overdue++;
    await ports.alerts
      .publish(
        runOverdueAlert({
          ...active,
          status: run.status,
          lastTickAt: run.lastTickAt,
          dateEndedAt: runEndsAt(active.date),
          now,
        }),
        now,
      )
      .catch((error: unknown) => logger.error('alert not sent', { error }));
  }
  return overdue;
}

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async () => {
    const now = ports.clock.now();
    const report = await reconcileLeases(ports, {
      maxCallSeconds: settings.MAX_CALL_SECONDS,
      unrecordedSeconds: UNRECORDED_SECONDS,
    });
    if (report.leakAlert !== undefined) {
      await ports.alerts
        .publish(report.leakAlert, now)
        .catch((error: unknown) => logger.error('alert not sent', { error }));
    }
    const overdue = await alertOverdueRuns(now);
    const { leakAlert: _alert, ...figures } = report;
    logger.info('sweep', { ...figures, overdue });
    if (report.failed > 0) throw new SweepFailedError(report.failed, report.leases);
    return figures;
  },
  { runUsage },
);
