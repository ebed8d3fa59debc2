/**
 * Starts (or resumes) a run's state machine execution: one execution per campaign, date and
 * generation, so two starts of the same run cannot both dial. Used by the API and the auto-start
 * schedule.
 */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../adapters/aws-clients.ts';
import type { RunStore } from '../adapters/run-store.ts';
import { executionName } from '../core/run-clock.ts';

export type StartRunResult =
  | { started: true; generation: number; executionArn: string }
  | { started: false; reason: 'ALREADY_ACTIVE'; status: string }
  | { started: false; reason: 'EXECUTION_EXISTS'; name: string };

const ACTIVE = new Set(['RUNNING', 'PAUSED', 'STOPPING']);

export async function startRun(
  runs: RunStore,
  stateMachineArn: string,
  campaignId: string,
  date: string,
): Promise<StartRunResult> {
  const run = await runs.getRun(campaignId, date);
  if (run?.status !== undefined && ACTIVE.has(run.status)) {
    return { started: false, reason: 'ALREADY_ACTIVE', status: run.status };
  }
  // A run item without a status was only created by an import: no execution has run yet.
  const generation = run?.status === undefined ? 0 : run.generation + 1;
  const name = executionName(campaignId, date, generation);
  try {
    const started = await sfnClient.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ campaignId, date, generation }) }),
    );
    return { started: true, generation, executionArn: started.executionArn ?? '' };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return { started: false, reason: 'EXECUTION_EXISTS', name };
    throw error;
  }
}
