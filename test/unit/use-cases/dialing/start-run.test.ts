import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { StepFunctionsRunExecutions } from '../../../../functions/adapters/run-executions.ts';
import type { RunRecord } from '../../../../functions/adapters/run-store.ts';
import { startRun } from '../../../../functions/use-cases/dialing/start-run.ts';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:campaign-run';
const execution = (generation: number) =>
  `arn:aws:states:eu-west-1:123456789012:execution:campaign-run:demo-2026-11-23-g${generation}`;

/** Step Functions knowing the given executions (by generation), recording what was started. */
function fakeSfn(statuses: Record<number, string>) {
  const started: string[] = [];
  const sfn = {
    started,
    async send(command: unknown): Promise<unknown> {
      if (command instanceof DescribeExecutionCommand) {
        const generation = Number(/-g(\d+)$/.exec(command.input.executionArn ?? '')?.[1]);
        expect(command.input.executionArn).toBe(execution(generation));
        const status = statuses[generation];
        if (status === undefined) throw new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} });
        return { status };
      }
      if (command instanceof StartExecutionCommand) {
        started.push(command.input.name ?? '');
        return { executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${command.input.name}` };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return sfn as typeof sfn & Pick<SFNClient, 'send'>;
}

/** The Step Functions adapter over the fake: start-run's port as the handlers wire it. */
const executionsOf = (sfn: Pick<SFNClient, 'send'>) => new StepFunctionsRunExecutions(MACHINE, sfn);

function fakeRuns(run: Partial<RunRecord> | undefined, closes = true) {
  const closed: unknown[][] = [];
  return {
    closed,
    getRun: async () => (run === undefined ? undefined : ({ generation: 0, counters: {}, ...run } as RunRecord)),
    closeRun: async (...args: unknown[]) => {
      closed.push(args);
      return closes;
    },
  };
}

describe('startRun', () => {
  it('starts generation 0 of a run nobody started, and the next generation of an ended one', async () => {
    const sfn = fakeSfn({});
    expect(await startRun(fakeRuns(undefined), executionsOf(sfn), 'demo', '2026-11-23')).toMatchObject({
      started: true,
      generation: 0,
    });
    expect(
      await startRun(fakeRuns({ status: 'FINISHED', generation: 2 }), executionsOf(sfn), 'demo', '2026-11-23'),
    ).toMatchObject({
      started: true,
      generation: 3,
    });
    expect(sfn.started).toEqual(['demo-2026-11-23-g0', 'demo-2026-11-23-g3']);
  });

  it('refuses a run its execution is still driving, or a continuation about to', async () => {
    for (const statuses of [{ 1: 'RUNNING' }, { 1: 'SUCCEEDED', 2: 'RUNNING' }] as Record<number, string>[]) {
      const runs = fakeRuns({ status: 'PAUSED', generation: 1 });
      const sfn = fakeSfn(statuses);
      expect(await startRun(runs, executionsOf(sfn), 'demo', '2026-11-23')).toEqual({
        started: false,
        reason: 'ALREADY_ACTIVE',
        status: 'PAUSED',
      });
      expect(runs.closed).toEqual([]);
      expect(sfn.started).toEqual([]);
    }
  });

  it.each([
    ['ABORTED', { 1: 'ABORTED' }, 2],
    ['TIMED_OUT', { 1: 'TIMED_OUT' }, 2],
    ['MISSING', {}, 2],
    // A continuation was started and ended before opening the run: its name is taken.
    ['FAILED', { 1: 'SUCCEEDED', 2: 'FAILED' }, 3],
  ])(
    'closes a run left active by an execution that ended (%s) as FAILED, then starts it again',
    async (_, statuses, next) => {
      const runs = fakeRuns({ status: 'RUNNING', generation: 1 });
      const sfn = fakeSfn(statuses);
      const result = await startRun(runs, executionsOf(sfn), 'demo', '2026-11-23');
      expect(result).toMatchObject({ started: true, generation: next, closedOrphan: { name: 'demo-2026-11-23-g1' } });
      expect(runs.closed).toEqual([
        [
          'demo',
          '2026-11-23',
          'FAILED',
          { error: expect.stringMatching(/^Execution/), cause: expect.stringContaining('demo-2026-11-23-g1 ended') },
          1,
        ],
      ]);
      expect(sfn.started).toEqual([`demo-2026-11-23-g${next}`]);
    },
  );

  it('starts nothing when the run moved on while it was being closed', async () => {
    const runs = fakeRuns({ status: 'RUNNING', generation: 1 }, false);
    const sfn = fakeSfn({ 1: 'ABORTED' });
    expect(await startRun(runs, executionsOf(sfn), 'demo', '2026-11-23')).toMatchObject({
      started: false,
      reason: 'ALREADY_ACTIVE',
    });
    expect(sfn.started).toEqual([]);
  });
});
