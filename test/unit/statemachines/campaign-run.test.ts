/**
 * The real campaign-run definition executed by aws-local-stepfunctions with local task handlers:
 * happy path, paused ticks, a transient task failure retried, a failure caught and alerted, and
 * continuation as a new execution.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Json = Record<string, unknown>;
type Handler = (input: Json) => Promise<unknown>;

const LAMBDA = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:campaign-engine-test-${name}`;

/** The shipped definition with its CloudFormation references rendered as the deployment would. */
function definition(): StateMachineDefinition {
  const raw = readFileSync(resolve(import.meta.dirname, '../../../statemachines/campaign-run.asl.yml'), 'utf8');
  const rendered = JSON.stringify(parse(raw), (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const object = value as Json;
      const getAtt = object['Fn::GetAtt'];
      if (Array.isArray(getAtt)) return LAMBDA(String(getAtt[0]));
      if (object.Ref === 'AlertsTopic') return 'arn:aws:sns:eu-west-1:000000000000:alerts';
    }
    return value;
  });
  return JSON.parse(rendered) as StateMachineDefinition;
}

interface Calls {
  published: Json[];
  started: Json[];
  markedFailed: Json[];
  dispatches: number;
}

async function run(handlers: Partial<Record<'Init' | 'Dispatch' | 'Finalize' | 'Report', Handler>>, input: Json = {}) {
  const calls: Calls = { published: [], started: [], markedFailed: [], dispatches: 0 };
  const machine = new StateMachine(definition(), { validationOptions: { checkArn: true, checkPaths: true } });
  const dispatch = handlers.Dispatch ?? (async () => ({ tick: 1, action: 'FINALIZE' }));
  const execution = machine.run(
    { campaignId: 'demo', date: '2026-11-23', generation: 0, ...input },
    {
      overrides: {
        taskResourceLocalHandlers: {
          Init: (handlers.Init ?? (async () => ({ tick: 0 }))) as never,
          Dispatch: (async (event: Json) => {
            calls.dispatches++;
            return dispatch(event);
          }) as never,
          Finalize: (handlers.Finalize ?? (async () => ({ subject: 'done', message: 'summary' }))) as never,
          Report: (handlers.Report ??
            (async (event: Json) => {
              const summary = event.summary as Json;
              return { subject: summary.subject, message: `${String(summary.message)} + links` };
            })) as never,
          AnnounceSummary: (async (event: Json) => {
            calls.published.push(event);
            return {};
          }) as never,
          AlertRunFailed: (async (event: Json) => {
            calls.published.push(event);
            return {};
          }) as never,
          MarkRunFailed: (async (event: Json) => {
            calls.markedFailed.push(event);
            return { status: 'FAILED' };
          }) as never,
          ContinueAsNew: (async (event: Json) => {
            calls.started.push(event);
            return { ExecutionArn: 'next' };
          }) as never,
        },
        waitTimeOverrides: { WaitForTick: 1, WaitForWindow: 1 },
        retryIntervalOverrides: { Init: 1, Dispatch: 1, Finalize: 1, Report: 1, AnnounceSummary: 1, ContinueAsNew: 1 },
      },
      context: { Execution: { Name: 'demo-2026-11-23-g0' }, StateMachine: { Id: 'arn:aws:states:::stateMachine:run' } },
    },
  );
  return { result: execution.result, calls };
}

describe('campaign-run state machine', () => {
  it('ticks until the dispatcher says FINALIZE, then announces the summary', async () => {
    const actions = ['TICK', 'WAIT_UNTIL', 'TICK', 'FINALIZE'];
    const { result, calls } = await run({
      Dispatch: async (event) => ({
        tick: Number(event.tick) + 1,
        action: actions.shift(),
        waitSeconds: 0,
        waitUntil: '2026-11-23T08:00:00Z',
      }),
    });

    await expect(result).resolves.toMatchObject({ summary: { subject: 'done' } });
    expect(calls.dispatches).toBe(4);
    expect(calls.published).toEqual([
      { TopicArn: 'arn:aws:sns:eu-west-1:000000000000:alerts', Subject: 'done', Message: 'summary + links' },
    ]);
  });

  it('passes the campaign, date and Finalize summary to the report step', async () => {
    const seen: Json[] = [];
    const { result } = await run({
      Report: async (event) => {
        seen.push(event);
        return { subject: 'done', message: 'with links' };
      },
    });

    await expect(result).resolves.toMatchObject({ summary: { message: 'with links' } });
    expect(seen).toEqual([
      { campaignId: 'demo', date: '2026-11-23', summary: { subject: 'done', message: 'summary' } },
    ]);
  });

  it("still announces Finalize's summary when the report job fails, and the run succeeds", async () => {
    const { result, calls } = await run({
      Report: async () => {
        const error = new Error('bucket missing');
        error.name = 'NoSuchBucket';
        throw error;
      },
    });

    await expect(result).resolves.toMatchObject({ reportFailure: { Error: 'NoSuchBucket' } });
    expect(calls.published).toEqual([
      { TopicArn: 'arn:aws:sns:eu-west-1:000000000000:alerts', Subject: 'done', Message: 'summary' },
    ]);
  });

  it('keeps ticking while the run is paused (the dispatcher answers TICK without dialing)', async () => {
    let paused = 5;
    const { result, calls } = await run({
      Dispatch: async (event) => ({
        tick: Number(event.tick) + 1,
        action: paused-- > 0 ? 'TICK' : 'FINALIZE',
        waitSeconds: 1,
      }),
    });

    await expect(result).resolves.toBeDefined();
    expect(calls.dispatches).toBe(6);
  });

  it('retries a task that fails transiently', async () => {
    let failures = 2;
    const { result, calls } = await run({
      Dispatch: async () => {
        if (failures-- > 0) {
          const error = new Error('DynamoDB timed out');
          error.name = 'TransientError';
          throw error;
        }
        return { tick: 1, action: 'FINALIZE' };
      },
    });

    await expect(result).resolves.toBeDefined();
    expect(calls.dispatches).toBe(3);
  });

  it('catches a failure, alerts on SNS with the cause and the next step, and fails the execution', async () => {
    const { result, calls } = await run({
      Init: async () => {
        const error = new Error('campaign "demo" does not exist');
        error.name = 'CampaignNotFoundError';
        throw error;
      },
    });

    await expect(result).rejects.toThrow();
    expect(calls.published).toHaveLength(1);
    expect(calls.published[0]).toMatchObject({ Subject: '[ALERT] campaign run failed' });
    expect(String(calls.published[0]?.Message)).toMatch(
      /campaign demo run 2026-11-23 \(execution demo-2026-11-23-g0, started \d{4}-\d\d-\d\dT[^)]*\) .*CampaignNotFoundError.*Next step/,
    );
    expect(calls.dispatches).toBe(0);
    expect(calls.markedFailed).toEqual([
      {
        campaignId: 'demo',
        date: '2026-11-23',
        failure: { Error: 'CampaignNotFoundError', Cause: 'campaign "demo" does not exist' },
      },
    ]);
  });

  it('continues as a new execution of the next generation when the dispatcher asks', async () => {
    const { result, calls } = await run({
      Dispatch: async () => ({
        tick: 1000,
        action: 'CONTINUE_AS_NEW',
        nextGeneration: 1,
        nextExecutionName: 'demo-2026-11-23-g1',
      }),
    });

    await expect(result).resolves.toBeDefined();
    expect(calls.started).toEqual([
      {
        StateMachineArn: 'arn:aws:states:::stateMachine:run',
        Name: 'demo-2026-11-23-g1',
        Input: { campaignId: 'demo', date: '2026-11-23', generation: 1 },
      },
    ]);
    expect(calls.published).toEqual([]);
  });
});
