/**
 * Starts (or resumes) a run's state machine execution: one execution per campaign, date and
 * generation, so two starts of the same run cannot both dial. Used by the API and the auto-start
 * schedule.
 *
 * A run still marked active whose execution has ended without closing it (aborted or timed out in Step Functions,
 * or failed where even closing it as FAILED failed) would refuse every start for ever. Start asks Step Functions
 * about the execution first: such an orphaned run is closed as FAILED, naming the execution and how it ended, and
 * started again with the next generation.
 */
import { executionName } from '../../core/run-clock.ts';
import type { RunExecutions } from './ports.ts';

export type StartRunResult =
  | { started: true; generation: number; executionArn: string; closedOrphan?: OrphanedExecution }
  | { started: false; reason: 'ALREADY_ACTIVE'; status: string }
  | { started: false; reason: 'EXECUTION_EXISTS'; name: string };

/** The ended execution an active run was left by. */
export interface OrphanedExecution {
  name: string;
  /** How it ended: SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or MISSING (Step Functions no longer knows it). */
  status: string;
  /** The generation a new execution takes: past the next one too if that one was started (and ended) already. */
  nextGeneration: number;
}

const ACTIVE = new Set(['RUNNING', 'PAUSED', 'STOPPING']);

/**
 * The ended execution that left the run active, or undefined while an execution drives it: its own generation's,
 * or the next one's (a continue-as-new has started it, and its Init has not opened the run yet).
 */
async function orphanedBy(
  executions: RunExecutions,
  campaignId: string,
  date: string,
  generation: number,
): Promise<OrphanedExecution | undefined> {
  const name = executionName(campaignId, date, generation);
  const status = await executions.status(name);
  if (status === 'RUNNING') return undefined;
  const next = await executions.status(executionName(campaignId, date, generation + 1));
  if (next === 'RUNNING') return undefined;
  return { name, status, nextGeneration: next === 'MISSING' ? generation + 1 : generation + 2 };
}

/** The run records start reads, and closes when an ended execution left the run active. */
export interface RunsToStart {
  getRun(campaignId: string, date: string): Promise<{ status: string; generation: number } | undefined>;
  closeRun(
    campaignId: string,
    date: string,
    status: 'FAILED',
    failure: { error: string; cause: string },
    generation: number,
  ): Promise<boolean>;
}

/** Starts the run's next execution, first closing a run an ended execution left active. */
export async function startRun(
  runs: RunsToStart,
  executions: RunExecutions,
  campaignId: string,
  date: string,
): Promise<StartRunResult> {
  const run = await runs.getRun(campaignId, date);
  let closedOrphan: OrphanedExecution | undefined;
  if (run?.status !== undefined && ACTIVE.has(run.status)) {
    const orphan = await orphanedBy(executions, campaignId, date, run.generation);
    const closed =
      orphan !== undefined &&
      (await runs.closeRun(
        campaignId,
        date,
        'FAILED',
        {
          error: `Execution${orphan.status === 'MISSING' ? 'Missing' : orphan.status}`,
          cause: `execution ${orphan.name} ended (${orphan.status}) without closing the run; closed when the run was started again`,
        },
        run.generation,
      ));
    if (!closed) return { started: false, reason: 'ALREADY_ACTIVE', status: run.status };
    closedOrphan = orphan;
  }
  // No run item yet: no execution has run.
  const generation = closedOrphan?.nextGeneration ?? (run?.status === undefined ? 0 : run.generation + 1);
  const result = await startExecution(executions, campaignId, date, generation);
  return result.started && closedOrphan ? { ...result, closedOrphan } : result;
}

/** Starts the run's execution of one generation (its name makes a second start of it fail, not dial twice). */
export async function startExecution(
  executions: RunExecutions,
  campaignId: string,
  date: string,
  generation: number,
): Promise<Exclude<StartRunResult, { reason: 'ALREADY_ACTIVE' }>> {
  const name = executionName(campaignId, date, generation);
  const started = await executions.start(name, { campaignId, date, generation });
  if (started === undefined) return { started: false, reason: 'EXECUTION_EXISTS', name };
  return { started: true, generation, executionArn: started.executionArn };
}
